// The user-assigned managed identity every shopfn process runs as, on Flex
// Consumption and (through workload identity federation) on AKS; and, with
// AKS, a second identity for the KEDA operator, which needs the Service Bus
// Data Owner role to read queue lengths and should not share it with the app.
param name string
param location string
param tags object
@description('OIDC issuer of the AKS cluster; empty: no federation.')
param aksOidcIssuerUrl string
param aksNamespace string

var withAks = !empty(aksOidcIssuerUrl)

resource app 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

resource appFederation 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = if (withAks) {
  parent: app
  name: 'aks-${aksNamespace}-shopfn'
  properties: {
    issuer: aksOidcIssuerUrl
    subject: 'system:serviceaccount:${aksNamespace}:shopfn'
    audiences: [
      'api://AzureADTokenExchange'
    ]
  }
}

resource keda 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = if (withAks) {
  name: '${name}-keda'
  location: location
  tags: tags
}

resource kedaFederation 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = if (withAks) {
  parent: keda
  name: 'aks-kube-system-keda-operator'
  properties: {
    issuer: aksOidcIssuerUrl
    subject: 'system:serviceaccount:kube-system:keda-operator'
    audiences: [
      'api://AzureADTokenExchange'
    ]
  }
}

output id string = app.id
output name string = app.name
output clientId string = app.properties.clientId
output principalId string = app.properties.principalId
output kedaClientId string = withAks ? keda.properties.clientId : ''
output kedaPrincipalId string = withAks ? keda.properties.principalId : ''
