// The four alerts for AKS, on the metrics Azure Monitor managed Prometheus
// scrapes from the pods (SHOPFN_METRICS_ADDR :9090). The names are those
// shopfn exports (infra/README.md, "Alerts").
param baseName string
param location string
param tags object
param azureMonitorWorkspaceId string
param clusterName string
param actionGroupId string

var actions = empty(actionGroupId) ? [] : [
  {
    actionGroupId: actionGroupId
  }
]

resource rules 'Microsoft.AlertsManagement/prometheusRuleGroups@2023-03-01' = {
  name: '${baseName}-shopfn'
  location: location
  tags: tags
  properties: {
    description: 'shopfn alerts on AKS'
    scopes: [
      azureMonitorWorkspaceId
    ]
    clusterName: clusterName
    enabled: true
    interval: 'PT1M'
    rules: [
      {
        alert: 'ShopfnCheckoutErrorRate'
        expression: 'sum(rate(shopfn_checkouts_total{outcome="error"}[5m])) / sum(rate(shopfn_checkouts_total[5m])) > 0.01'
        for: 'PT5M'
        severity: 1
        actions: actions
      }
      {
        alert: 'ShopfnProductP99'
        expression: 'histogram_quantile(0.99, sum by (le) (rate(shopfn_http_request_duration_seconds_bucket{route=~"/api/products.*"}[5m]))) > 0.5'
        for: 'PT5M'
        severity: 2
        actions: actions
      }
      {
        alert: 'ShopfnDeadLetters'
        expression: 'sum(increase(shopfn_queue_messages_total{result="dead_lettered"}[15m])) > 0'
        severity: 1
        actions: actions
      }
      {
        alert: 'ShopfnOutboxBacklogAge'
        expression: 'max(shopfn_outbox_oldest_age_seconds) > 60'
        for: 'PT1M'
        severity: 1
        actions: actions
      }
      {
        alert: 'ShopfnOutboxParked'
        expression: 'max(shopfn_outbox_parked) > 0'
        severity: 1
        actions: actions
      }
    ]
  }
}
