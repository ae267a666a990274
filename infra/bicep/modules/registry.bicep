// Azure Container Registry for the AKS image, without the admin user: AKS
// pulls with its kubelet identity (`az aks update --attach-acr`), the deploy
// workflow pushes with AcrPush.
param name string
param location string
param tags object
@allowed([
  'Basic'
  'Standard'
  'Premium'
])
param sku string
param principalId string
param deployerObjectId string
param deployerPrincipalType string

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: sku
  }
  properties: {
    adminUserEnabled: false
    anonymousPullEnabled: false
  }
}

// AcrPull for the app identity, AcrPush for the deployer.
var acrPull = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '7f951dda-4ed3-4680-a7ca-43fe172d538d')
var acrPush = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '8311e382-0749-4cb8-b61a-304f252e45ec')

resource pull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, principalId, acrPull)
  scope: registry
  properties: {
    roleDefinitionId: acrPull
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource push 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerObjectId)) {
  name: guid(registry.id, deployerObjectId, acrPush)
  scope: registry
  properties: {
    roleDefinitionId: acrPush
    principalId: deployerObjectId
    principalType: deployerPrincipalType
  }
}

output loginServer string = registry.properties.loginServer
output name string = registry.name
