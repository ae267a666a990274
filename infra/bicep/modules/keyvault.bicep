// Key Vault with Azure RBAC (no access policies) holding shopfn's secrets;
// the identity reads them (Key Vault Secrets User) through
// SHOPFN_KEYVAULT_URL. Secret values never pass through Bicep: the deployer
// sets them once with `az keyvault secret set` (infra/README.md).
param name string
param location string
param tags object
param purgeProtection bool
param principalId string
param deployerObjectId string
param deployerPrincipalType string

@description('The secrets shopfn reads from the vault (names are a contract with handler/keyvault).')
var secretNames = [
  'shopfn-admin-key'
  'shopfn-cursor-key'
  'stripe-secret-key'
  'stripe-webhook-secret'
  'shopify-webhook-secret'
  'shopfn-smtp-url'
]

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: purgeProtection ? true : null
    publicNetworkAccess: 'Enabled'
  }
}

// Key Vault Secrets User.
var secretsUser = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4633458b-17de-408a-b874-0445c86b69e6')
// Key Vault Secrets Officer.
var secretsOfficer = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7')

resource appReads 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, secretsUser)
  scope: vault
  properties: {
    roleDefinitionId: secretsUser
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource deployerWrites 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerObjectId)) {
  name: guid(vault.id, deployerObjectId, secretsOfficer)
  scope: vault
  properties: {
    roleDefinitionId: secretsOfficer
    principalId: deployerObjectId
    principalType: deployerPrincipalType
  }
}

output url string = vault.properties.vaultUri
output name string = vault.name
output secretNames array = secretNames
