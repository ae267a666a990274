package checkout

// LeaseTTL is leaseTTL, for the tests.
const LeaseTTL = leaseTTL
