#!/usr/bin/env bash
# k8s-env.sh writes an AKS overlay's Azure values from the outputs of the
# Bicep deployment (`az deployment group create ... --query
# properties.outputs -o json > outputs.json`):
#
#	INGRESS_HOST=shop.example.com scripts/k8s-env.sh infra/k8s/overlays/prod outputs.json
#
# azure.env holds the app settings merged into the shopfn-settings
# ConfigMap; deploy.env the values Kustomize copies into the ServiceAccount,
# KEDA's TriggerAuthentication and ScaledObject, and the Ingress.
set -euo pipefail
if [[ $# -ne 2 ]]; then
	echo "usage: INGRESS_HOST=host scripts/k8s-env.sh OVERLAY_DIR OUTPUTS_JSON" >&2
	exit 2
fi
dir=$1 outputs=$2
: "${INGRESS_HOST:?set INGRESS_HOST to the storefront API host name}"
out() { jq -er ".$1.value" "$outputs"; }

cat >"$dir/azure.env" <<ENV
COSMOS_ENDPOINT=$(out cosmosEndpoint)
COSMOS_PREFERRED_REGIONS=$(out cosmosPreferredRegions)
SQLSERVER_DSN=sqlserver://$(out sqlHost)?database=$(out sqlDatabase)&fedauth=ActiveDirectoryWorkloadIdentity
ServiceBusConnection__fullyQualifiedNamespace=$(out serviceBusNamespace)
SHOPFN_KEYVAULT_URL=$(out keyVaultUrl)
SHOPFN_TRUSTED_PROXIES=${TRUSTED_PROXIES:-10.244.0.0/16}
ENV
# Customer sign-in: without an issuer, customer routes answer 503 on AKS.
if [[ -n "$(jq -r '.oidcIssuer.value // ""' "$outputs")" ]]; then
	cat >>"$dir/azure.env" <<ENV
SHOPFN_OIDC_ISSUER=$(out oidcIssuer)
SHOPFN_OIDC_AUDIENCE=$(out oidcAudience)
ENV
fi
cat >"$dir/deploy.env" <<ENV
WORKLOAD_CLIENT_ID=$(out identityClientId)
KEDA_CLIENT_ID=$(out kedaClientId)
SERVICEBUS_NAMESPACE=$(out serviceBusName)
INGRESS_HOST=$INGRESS_HOST
ENV
echo "wrote $dir/azure.env and $dir/deploy.env"
