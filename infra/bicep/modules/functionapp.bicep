// shopfn on the Flex Consumption plan (FC1) as a custom handler
// (functionAppConfig.runtime custom 1.0; Flex rejects the old
// FUNCTIONS_WORKER_RUNTIME app setting). Everything is reached as the
// user-assigned identity: the deployment package container, the host's
// storage (AzureWebJobsStorage__*), Service Bus triggers
// (ServiceBusConnection__*), Application Insights, and the app's own Cosmos
// DB, Azure SQL and Key Vault clients (AZURE_CLIENT_ID).
param baseName string
param name string
param location string
param tags object
param identityId string
param identityClientId string
param blobEndpoint string
param queueEndpoint string
param tableEndpoint string
param deploymentContainer string
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int
@description('SQLSERVER_MAX_CONNS: connections per instance; times maximumInstanceCount within the SQL tier\'s worker limit.')
@minValue(1)
param sqlMaxConnections int
param appInsightsConnectionString string
param cosmosEndpoint string
param cosmosDatabase string
@description('COSMOS_PREFERRED_REGIONS: the Cosmos DB account\'s regions, this app\'s first.')
param cosmosPreferredRegions string
param sqlHost string
param sqlDatabase string
param serviceBusNamespace string
param keyVaultUrl string
@description('Key Vault name, for the Key Vault reference of SHOPFN_CURSOR_KEY.')
param keyVaultName string
param cartTtlHours int
param payments string
param corsOrigins string
@description('SHOPFN_OIDC_ISSUER and SHOPFN_OIDC_AUDIENCE: customer sign-in (main.bicep).')
param oidcIssuer string
param oidcAudience string
@description('Take Shopify order webhooks (main.bicep): SHOPFN_SHOPIFY_WEBHOOK_SECRET from the vault secret shopify-webhook-secret.')
param shopifyWebhooks bool = false
@description('Order emails (main.bicep): SHOPFN_EMAIL_FROM; set, SHOPFN_SMTP_URL comes from the vault secret shopfn-smtp-url.')
param emailFrom string = ''

// Secrets as Key Vault references, resolved by the platform; empty turns
// their feature off.
var shopifyWebhookSecret = shopifyWebhooks ? '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=shopify-webhook-secret)' : ''
var smtpUrl = empty(emailFrom) ? '' : '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=shopfn-smtp-url)'
@description('STRIPE_PUBLISHABLE_KEY, STRIPE_RETURN_URL and SHOPFN_PUBLIC_URL (main.bicep).')
param stripePublishableKey string
param stripeReturnUrl string
param publicUrl string

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'asp-${baseName}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references in app settings resolve as the app identity.
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      cors: {
        allowedOrigins: empty(corsOrigins) ? [] : split(corsOrigins, ',')
      }
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${blobEndpoint}${deploymentContainer}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'custom'
        version: '1.0'
      }
    }
  }
}

// No publishing with basic credentials: deployments use Entra ID.
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

// Every key here is checked by handler/infra_test.go against the settings
// shopfn's LoadConfig reads (or the platform's own, listed there): add a
// setting to both, or the test fails.
resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: {
    AzureWebJobsStorage__blobServiceUri: blobEndpoint
    AzureWebJobsStorage__queueServiceUri: queueEndpoint
    AzureWebJobsStorage__tableServiceUri: tableEndpoint
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
    AZURE_CLIENT_ID: identityClientId
    SHOPFN_DOCUMENTS: 'cosmos'
    COSMOS_ENDPOINT: cosmosEndpoint
    COSMOS_DATABASE: cosmosDatabase
    COSMOS_PREFERRED_REGIONS: cosmosPreferredRegions
    SHOPFN_SQL: 'sqlserver'
    SQLSERVER_DSN: 'sqlserver://${identityClientId}@${sqlHost}?database=${sqlDatabase}&fedauth=ActiveDirectoryManagedIdentity'
    SQLSERVER_MAX_CONNS: string(sqlMaxConnections)
    SQLSERVER_STARTUP_TIMEOUT: '60s'
    SHOPFN_QUEUE: 'servicebus'
    ServiceBusConnection__fullyQualifiedNamespace: serviceBusNamespace
    ServiceBusConnection__credential: 'managedidentity'
    ServiceBusConnection__clientId: identityClientId
    SHOPFN_KEYVAULT_URL: keyVaultUrl
    SHOPFN_PAYMENTS: payments
    STRIPE_PUBLISHABLE_KEY: stripePublishableKey
    STRIPE_RETURN_URL: stripeReturnUrl
    SHOPFN_PUBLIC_URL: empty(publicUrl) ? 'https://${site.properties.defaultHostName}' : publicUrl
    SHOPFN_SEED: 'false'
    SHOPFN_CURRENCY: 'USD'
    CART_TTL_HOURS: string(cartTtlHours)
    RESERVATION_TTL_MINUTES: '15'
    SHOPFN_CATALOG_CACHE_SECONDS: '1'
    SHOPFN_CATALOG_CACHE_MB: '32'
    // The listing cursors' signing key, the same on every instance: a Key
    // Vault reference, resolved by the platform, never a value in Bicep.
    SHOPFN_CURSOR_KEY: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=shopfn-cursor-key)'
    SHOPFN_SHIPPING_AMOUNT: '0'
    SHOPFN_TAX_AMOUNT: '0'
    SHOPFN_TAX_INCLUSIVE_CURRENCIES: ''
    SHOPFN_MAX_DELIVERY_COUNT: '10'
    SHOPFN_RETRY_BACKOFF_SECONDS: '1'
    SHOPFN_EVENT_RETENTION: '14d'
    SHOPFN_EVENTS_TOPIC: 'events'
    SHOPFN_WEBHOOKS_ALLOW_PRIVATE: 'false'
    SHOPFN_QUEUE_CONCURRENCY: '8'
    SHOPFN_RATE_LIMIT: '10'
    SHOPFN_RATE_BURST: '20'
    SHOPFN_MAX_ACTION_CHECKOUTS: '3'
    SHOPFN_MAX_HELD_UNITS: '10'
    SHOPFN_MAX_HELD_UNITS_TOTAL: '30'
    SHOPFN_ACTION_HOLD_MINUTES: '10'
    SHOPFN_ALLOCATION: 'fewest_shipments'
    SHOPFN_IPV6_PREFIX: '64'
    SHOPFN_REQUEST_TIMEOUT_SECONDS: '30'
    SHOPFN_TRUSTED_PROXIES: '127.0.0.1/32,::1/128'
    SHOPFN_LOG_LEVEL: 'info'
    // The demo storefront at / stays off in production (the host forwards
    // only /api routes in any case); the README says how to turn it on.
    SHOPFN_STOREFRONT: 'off'
    SHOPFN_OIDC_ISSUER: oidcIssuer
    SHOPFN_OIDC_AUDIENCE: oidcAudience
    SHOPFN_SHOPIFY_WEBHOOK_SECRET: shopifyWebhookSecret
    SHOPFN_SMTP_URL: smtpUrl
    SHOPFN_EMAIL_FROM: emailFrom
    OTEL_SERVICE_NAME: 'shopfn'
    OTEL_RESOURCE_ATTRIBUTES: 'service.namespace=shopfn,shopfn.host=flex'
  }
}

output name string = site.name
output hostName string = site.properties.defaultHostName
