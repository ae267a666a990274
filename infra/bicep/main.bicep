// shopfn on Azure: everything one environment needs, in one resource group.
// One user-assigned managed identity is the app's only credential: no
// connection string, account key or password is created or stored, and every
// service that allows it has local (key) authentication turned off.
//
//   az deployment group create -g <rg> -f infra/bicep/main.bicep -p @infra/bicep/dev.parameters.json
//
// infra/README.md walks through it; the app settings the function app gets
// are checked against the settings shopfn reads by handler/infra_test.go.
targetScope = 'resourceGroup'

@description('Environment name, part of every resource name.')
@allowed([
  'dev'
  'prod'
])
param environmentName string

@description('Region of every resource.')
param location string = resourceGroup().location

@description('Optional second region: Cosmos DB replicates there (prod only; serverless accounts are single-region) and Azure SQL gets a failover group with a secondary server there. Empty: one region.')
param secondaryLocation string = ''

@description('Short prefix of every resource name.')
@minLength(3)
@maxLength(10)
param namePrefix string = 'shopfn'

@description('Flex Consumption instance memory in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Flex Consumption maximum instance count.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Connections each instance opens to Azure SQL (SQLSERVER_MAX_CONNS). maximumInstanceCount times this must stay within the worker limit of the SQL tier (75 serverless dev, 200 prod): infra/check verifies it, README "Azure SQL" explains it.')
@minValue(1)
@maxValue(100)
param sqlMaxConnections int = 1

@description('Object id of the Microsoft Entra group (or user) that administers Azure SQL; the only SQL login there is.')
param sqlAdminObjectId string

@description('Display name of that group or user.')
param sqlAdminName string

@description('Type of the SQL administrator principal.')
@allowed([
  'Group'
  'User'
  'Application'
])
param sqlAdminPrincipalType string = 'Group'

@description('Object id of the principal that deploys (the GitHub Actions identity or you): it gets Key Vault Secrets Officer to set the secrets and AcrPush to push images. Empty: no such assignment.')
param deployerObjectId string = ''

@description('Principal type of the deployer.')
@allowed([
  'ServicePrincipal'
  'User'
  'Group'
])
param deployerPrincipalType string = 'ServicePrincipal'

@description('Public IP address of the machine that runs the one-time SQL user step (sqlcmd ... create-user.sql, infra/README.md): a firewall rule AllowDeployerClientIp lets it reach Azure SQL, which otherwise admits Azure services only. Empty: no rule.')
param deployerClientIp string = ''

@description('Resource id of an existing action group that alerts notify. Empty: alerts fire without notification.')
param actionGroupId string = ''

@description('Cart lifetime in hours: CART_TTL_HOURS and the carts container default TTL.')
@minValue(1)
param cartTtlHours int = 72

@description('Payment provider: stripe in production; test only for a demo environment.')
@allowed([
  'stripe'
  'test'
])
param payments string = 'stripe'

@description('Cosmos DB autoscale maximum RU/s per container (prod); dev is serverless.')
param cosmosMaxThroughput int = 4000

@description('OIDC issuer URL of an AKS cluster: when set, the identity trusts the shopfn ServiceAccount there (workload identity), and a second identity for KEDA can read queue lengths. Empty: Flex Consumption only.')
param aksOidcIssuerUrl string = ''

@description('Kubernetes namespace of shopfn on AKS.')
param aksNamespace string = 'shopfn'

@description('Resource id of the Azure Monitor workspace of the AKS cluster\'s managed Prometheus: when set, the alerts also exist as a Prometheus rule group. Empty: none.')
param azureMonitorWorkspaceId string = ''

@description('Name of the AKS cluster the Prometheus rules apply to.')
param aksClusterName string = ''

@description('Allowed origins of storefronts calling from browsers (SHOPFN_CORS_ORIGINS).')
param corsOrigins string = ''

@description('Customer sign-in (SHOPFN_OIDC_ISSUER): the OpenID Connect issuer whose tokens shopfn accepts. Microsoft Entra External ID: https://<tenant-id>.ciamlogin.com/<tenant-id>/v2.0. Empty: customer routes answer 503.')
param oidcIssuer string = ''

@description('Customer sign-in (SHOPFN_OIDC_AUDIENCE): the aud the tokens carry; with Entra External ID, the Application (client) ID of the shop API\'s app registration. Required with oidcIssuer.')
param oidcAudience string = ''

@description('Take Shopify order webhooks at /api/webhooks/shopify: set the vault secret shopify-webhook-secret to the Shopify app\'s webhook signing secret first.')
param shopifyWebhooks bool = false

@description('Order emails (SHOPFN_EMAIL_FROM), such as "Shop <orders@shop.example>": set the vault secret shopfn-smtp-url first (README, Order emails). Empty: no emails.')
param emailFrom string = ''

@description('Stripe.js\'s publishable key (STRIPE_PUBLISHABLE_KEY, pk_...), served to storefronts by GET /api/config. Public, not a secret.')
param stripePublishableKey string = ''

@description('Where Stripe sends a buyer back after a payment method that redirects (STRIPE_RETURN_URL), a storefront page. Empty: only methods that never redirect.')
param stripeReturnUrl string = ''

@description('The API\'s address as buyers reach it (SHOPFN_PUBLIC_URL), e.g. the Front Door host. Empty: the function app\'s default host name.')
param publicUrl string = ''

var isProd = environmentName == 'prod'
var suffix = uniqueString(subscription().id, resourceGroup().id, namePrefix, environmentName)
var baseName = '${namePrefix}-${environmentName}'
var tags = {
  app: 'shopfn'
  environment: environmentName
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: 'id-${baseName}'
    location: location
    tags: tags
    aksOidcIssuerUrl: aksOidcIssuerUrl
    aksNamespace: aksNamespace
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    baseName: baseName
    location: location
    tags: tags
    retentionInDays: isProd ? 90 : 30
    principalId: identity.outputs.principalId
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: take(toLower(replace('st${namePrefix}${environmentName}${suffix}', '-', '')), 24)
    location: location
    tags: tags
    principalId: identity.outputs.principalId
  }
}

module cosmos 'modules/cosmos.bicep' = {
  name: 'cosmos'
  params: {
    name: 'cosmos-${baseName}-${suffix}'
    location: location
    secondaryLocation: isProd ? secondaryLocation : ''
    tags: tags
    serverless: !isProd
    maxThroughput: cosmosMaxThroughput
    cartTtlSeconds: cartTtlHours * 3600
    principalId: identity.outputs.principalId
  }
}

module sql 'modules/sql.bicep' = {
  name: 'sql'
  params: {
    name: 'sql-${baseName}-${suffix}'
    location: location
    secondaryLocation: secondaryLocation
    tags: tags
    serverless: !isProd
    adminObjectId: sqlAdminObjectId
    adminName: sqlAdminName
    adminPrincipalType: sqlAdminPrincipalType
    deployerClientIp: deployerClientIp
  }
}

module servicebus 'modules/servicebus.bicep' = {
  name: 'servicebus'
  params: {
    name: 'sb-${baseName}-${suffix}'
    location: location
    tags: tags
    principalId: identity.outputs.principalId
    kedaPrincipalId: identity.outputs.kedaPrincipalId
  }
}

module keyvault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    name: take('kv-${namePrefix}-${environmentName}-${suffix}', 24)
    location: location
    tags: tags
    purgeProtection: isProd
    principalId: identity.outputs.principalId
    deployerObjectId: deployerObjectId
    deployerPrincipalType: deployerPrincipalType
  }
}

module registry 'modules/registry.bicep' = {
  name: 'registry'
  params: {
    name: take(toLower(replace('cr${namePrefix}${environmentName}${suffix}', '-', '')), 50)
    location: location
    tags: tags
    sku: isProd ? 'Standard' : 'Basic'
    principalId: identity.outputs.principalId
    deployerObjectId: deployerObjectId
    deployerPrincipalType: deployerPrincipalType
  }
}

module functionapp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    baseName: baseName
    name: 'func-${baseName}-${suffix}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    blobEndpoint: storage.outputs.blobEndpoint
    queueEndpoint: storage.outputs.queueEndpoint
    tableEndpoint: storage.outputs.tableEndpoint
    deploymentContainer: storage.outputs.deploymentContainer
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    sqlMaxConnections: sqlMaxConnections
    appInsightsConnectionString: monitoring.outputs.appInsightsConnectionString
    cosmosEndpoint: cosmos.outputs.endpoint
    cosmosDatabase: cosmos.outputs.database
    cosmosPreferredRegions: cosmos.outputs.preferredRegions
    sqlHost: sql.outputs.host
    sqlDatabase: sql.outputs.database
    serviceBusNamespace: servicebus.outputs.fullyQualifiedNamespace
    keyVaultUrl: keyvault.outputs.url
    keyVaultName: keyvault.outputs.name
    cartTtlHours: cartTtlHours
    payments: payments
    corsOrigins: corsOrigins
    oidcIssuer: oidcIssuer
    oidcAudience: oidcAudience
    shopifyWebhooks: shopifyWebhooks
    emailFrom: emailFrom
    stripePublishableKey: stripePublishableKey
    stripeReturnUrl: stripeReturnUrl
    publicUrl: publicUrl
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  params: {
    baseName: baseName
    location: location
    tags: tags
    appInsightsId: monitoring.outputs.appInsightsId
    serviceBusId: servicebus.outputs.id
    actionGroupId: actionGroupId
  }
}

module prometheusAlerts 'modules/prometheus-alerts.bicep' = if (!empty(azureMonitorWorkspaceId)) {
  name: 'prometheus-alerts'
  params: {
    baseName: baseName
    location: location
    tags: tags
    azureMonitorWorkspaceId: azureMonitorWorkspaceId
    clusterName: aksClusterName
    actionGroupId: actionGroupId
  }
}

@description('The function app name, for the zip deploy.')
output functionAppName string = functionapp.outputs.name

@description('The function app host name.')
output functionAppHostName string = functionapp.outputs.hostName

@description('Client id of the app identity (AZURE_CLIENT_ID, the AKS ServiceAccount annotation).')
output identityClientId string = identity.outputs.clientId

@description('Name of the app identity, the Azure SQL database user to create (infra/README.md).')
output identityName string = identity.outputs.name

@description('Client id of the KEDA identity (TriggerAuthentication), empty without AKS.')
output kedaClientId string = identity.outputs.kedaClientId

@description('COSMOS_ENDPOINT.')
output cosmosEndpoint string = cosmos.outputs.endpoint

@description('COSMOS_PREFERRED_REGIONS.')
output cosmosPreferredRegions string = cosmos.outputs.preferredRegions

@description('Azure SQL host name: the failover group listener when there is a second region.')
output sqlHost string = sql.outputs.host

@description('Azure SQL database name.')
output sqlDatabase string = sql.outputs.database

@description('The primary Azure SQL server name, for its firewall rules (AllowDeployerClientIp).')
output sqlServerName string = sql.outputs.serverName

@description('ServiceBusConnection__fullyQualifiedNamespace.')
output serviceBusNamespace string = servicebus.outputs.fullyQualifiedNamespace

@description('Service Bus namespace name (KEDA trigger metadata).')
output serviceBusName string = servicebus.outputs.name

@description('SHOPFN_KEYVAULT_URL.')
output keyVaultUrl string = keyvault.outputs.url

@description('Key Vault name, for az keyvault secret set.')
output keyVaultName string = keyvault.outputs.name

@description('Container registry login server.')
output registryLoginServer string = registry.outputs.loginServer

@description('Container registry name.')
output registryName string = registry.outputs.name

@description('Customer sign-in\'s issuer and audience (the oidcIssuer and oidcAudience parameters), which scripts/k8s-env.sh writes into an AKS overlay.')
output oidcIssuer string = oidcIssuer

@description('See oidcIssuer.')
output oidcAudience string = oidcAudience
