// Cosmos DB for the catalog, carts and customers: serverless (dev) or autoscale (prod),
// Entra ID only (disableLocalAuth), the containers shopfn expects and the
// built-in Data Contributor role for the identity. The app cannot create
// containers with a data-plane role, so they are created here.
param name string
param location string
@description('Second region (provisioned accounts only; serverless is single-region). Empty: none.')
param secondaryLocation string
param tags object
param serverless bool
param maxThroughput int
param cartTtlSeconds int
param principalId string

var database = 'shopfn'
var multiRegion = !serverless && !empty(secondaryLocation)
var primary = [
  {
    locationName: location
    failoverPriority: 0
    isZoneRedundant: false
  }
]
var secondary = multiRegion ? [
  {
    locationName: secondaryLocation
    failoverPriority: 1
    isZoneRedundant: false
  }
] : []
var throughput = serverless ? {} : {
  autoscaleSettings: {
    maxThroughput: maxThroughput
  }
}

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' = {
  name: name
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    locations: concat(primary, secondary)
    consistencyPolicy: {
      defaultConsistencyLevel: 'Session'
    }
    capabilities: serverless ? [
      {
        name: 'EnableServerless'
      }
    ] : []
    enableAutomaticFailover: multiRegion
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    publicNetworkAccess: 'Enabled'
  }
}

resource db 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-11-15' = {
  parent: account
  name: database
  properties: {
    resource: {
      id: database
    }
  }
}

resource products 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = {
  parent: db
  name: 'products'
  properties: {
    resource: {
      id: 'products'
      partitionKey: {
        paths: [
          '/category'
        ]
        kind: 'Hash'
        version: 2
      }
    }
    options: throughput
  }
}

resource carts 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = {
  parent: db
  name: 'carts'
  properties: {
    resource: {
      id: 'carts'
      partitionKey: {
        paths: [
          '/id'
        ]
        kind: 'Hash'
        version: 2
      }
      defaultTtl: cartTtlSeconds
    }
    options: throughput
  }
}

// Customers: one document per customer (with its addresses) and key
// documents per issuer + subject and per email, each alone in its logical
// partition. No time to live: a customer lives until erased.
resource customers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = {
  parent: db
  name: 'customers'
  properties: {
    resource: {
      id: 'customers'
      partitionKey: {
        paths: [
          '/id'
        ]
        kind: 'Hash'
        version: 2
      }
    }
    options: throughput
  }
}

// Pricing: one document per price list, shipping option and tax rate,
// each alone in its logical partition. No time to live.
resource pricing 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = {
  parent: db
  name: 'pricing'
  properties: {
    resource: {
      id: 'pricing'
      partitionKey: {
        paths: [
          '/id'
        ]
        kind: 'Hash'
        version: 2
      }
    }
    options: throughput
  }
}

// Cosmos DB Built-in Data Contributor (a data-plane role of the account).
resource dataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = {
  parent: account
  name: guid(account.id, principalId, 'data-contributor')
  properties: {
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/00000000-0000-0000-0000-000000000002'
    principalId: principalId
    scope: account.id
  }
}

output endpoint string = account.properties.documentEndpoint
@description('COSMOS_PREFERRED_REGIONS: the account\'s regions, the app\'s own first (azcosmos fails reads over in this order).')
output preferredRegions string = multiRegion ? '${location},${secondaryLocation}' : location
output database string = database
