// Azure SQL with Microsoft Entra-only administration (no SQL login exists),
// one database: serverless with auto-pause for dev, provisioned for prod. The
// identity becomes a database user in a one-time step (sql/create-user.sql,
// infra/README.md); the app applies its migrations itself at start.
// With a second region, a secondary server and an automatic failover group;
// the app then connects to the group's listener.
param name string
param location string
@description('Second region for a failover group; empty: none.')
param secondaryLocation string
param tags object
param serverless bool
param adminObjectId string
param adminName string
param adminPrincipalType string
@description('The public IP address of the person or runner making the identity a database user (sql/create-user.sql): a firewall rule lets it in. Empty: no such rule.')
param deployerClientIp string

var database = 'shopfn'
var withFailover = !empty(secondaryLocation)
var administrators = {
  administratorType: 'ActiveDirectory'
  azureADOnlyAuthentication: true
  login: adminName
  sid: adminObjectId
  principalType: adminPrincipalType
  tenantId: subscription().tenantId
}

resource server 'Microsoft.Sql/servers@2021-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    administrators: administrators
    minimalTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

// Flex Consumption without a virtual network reaches SQL as an Azure
// service; put both in a VNet with a private endpoint to close this.
resource azureServices 'Microsoft.Sql/servers/firewallRules@2021-11-01' = {
  parent: server
  name: 'AllowAllWindowsAzureIps'
  properties: {
    startIpAddress: '0.0.0.0'
    endIpAddress: '0.0.0.0'
  }
}

// The one-time database user step runs sqlcmd from the deployer's machine,
// outside Azure: "Azure services" does not let it in. Delete the rule after
// that step (infra/README.md); a later deployment without the address does
// not remove it.
resource deployerClient 'Microsoft.Sql/servers/firewallRules@2021-11-01' = if (!empty(deployerClientIp)) {
  parent: server
  name: 'AllowDeployerClientIp'
  properties: {
    startIpAddress: deployerClientIp
    endIpAddress: deployerClientIp
  }
}

resource db 'Microsoft.Sql/servers/databases@2021-11-01' = {
  parent: server
  name: database
  location: location
  tags: tags
  sku: serverless ? {
    name: 'GP_S_Gen5_1'
    tier: 'GeneralPurpose'
    family: 'Gen5'
    capacity: 1
  } : {
    name: 'GP_Gen5_2'
    tier: 'GeneralPurpose'
    family: 'Gen5'
    capacity: 2
  }
  properties: serverless ? {
    autoPauseDelay: 60
    minCapacity: json('0.5')
    zoneRedundant: false
    requestedBackupStorageRedundancy: 'Local'
  } : {
    zoneRedundant: true
    requestedBackupStorageRedundancy: 'Geo'
  }
}

resource secondaryServer 'Microsoft.Sql/servers@2021-11-01' = if (withFailover) {
  name: '${name}-2'
  location: withFailover ? secondaryLocation : location
  tags: tags
  properties: {
    administrators: administrators
    minimalTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource secondaryAzureServices 'Microsoft.Sql/servers/firewallRules@2021-11-01' = if (withFailover) {
  parent: secondaryServer
  name: 'AllowAllWindowsAzureIps'
  properties: {
    startIpAddress: '0.0.0.0'
    endIpAddress: '0.0.0.0'
  }
}

resource failoverGroup 'Microsoft.Sql/servers/failoverGroups@2021-11-01' = if (withFailover) {
  parent: server
  name: '${name}-fog'
  properties: {
    readWriteEndpoint: {
      failoverPolicy: 'Automatic'
      failoverWithDataLossGracePeriodMinutes: 60
    }
    partnerServers: [
      {
        id: secondaryServer.id
      }
    ]
    databases: [
      db.id
    ]
  }
}

output host string = withFailover ? '${name}-fog${environment().suffixes.sqlServerHostname}' : server.properties.fullyQualifiedDomainName
output database string = database
output serverName string = server.name
