package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// pendingSettings are settings ARCHITECTURE.md and the issues name that the
// infrastructure already sets but LoadConfig does not read yet: other work
// in progress adds them. The list must only shrink: the test fails when
// LoadConfig reads a name still listed here, so remove it then.
var pendingSettings = map[string]bool{}

// platformSettings are set by the infrastructure for someone other than
// LoadConfig: the Functions host, the Azure SDK (azidentity) or the
// OpenTelemetry SDK (every OTEL_ name, by prefix).
var platformSettings = map[string]string{
	"AzureWebJobsStorage__blobServiceUri":       "Functions host storage, identity-based",
	"AzureWebJobsStorage__queueServiceUri":      "Functions host storage, identity-based",
	"AzureWebJobsStorage__tableServiceUri":      "Functions host storage, identity-based",
	"AzureWebJobsStorage__credential":           "Functions host storage, identity-based",
	"AzureWebJobsStorage__clientId":             "Functions host storage, identity-based",
	"APPLICATIONINSIGHTS_CONNECTION_STRING":     "Functions host telemetry",
	"APPLICATIONINSIGHTS_AUTHENTICATION_STRING": "Functions host telemetry with Entra ID (local auth off)",
	"ServiceBusConnection__credential":          "Functions Service Bus trigger, identity-based",
	"ServiceBusConnection__clientId":            "Functions Service Bus trigger, identity-based",
	"AZURE_CLIENT_ID":                           "azidentity: the user-assigned identity",
}

// notSetOnFlex and notSetOnAKS are settings shopfn reads that a target
// leaves unset on purpose, with the reason.
var notSetOnFlex = map[string]string{
	"SHOPFN_SHIPPING_AMOUNTS":      "charges in other currencies: none until the shop sells in them",
	"SHOPFN_TAX_AMOUNTS":           "charges in other currencies: none until the shop sells in them",
	"SHOPFN_ADDR":                  "the host sets FUNCTIONS_CUSTOMHANDLER_PORT",
	"FUNCTIONS_CUSTOMHANDLER_PORT": "set by the Functions host",
	"SHOPFN_DATA_DIR":              "no embedded SQLite on Azure",
	"SHOPFN_ADMIN_KEY":             "Key Vault secret shopfn-admin-key; the host checks function keys",
	"STRIPE_SECRET_KEY":            "Key Vault secret stripe-secret-key",
	"STRIPE_WEBHOOK_SECRET":        "Key Vault secret stripe-webhook-secret",
	"STRIPE_API_BASE":              "tests only (stripe-mock)",
	"SHOPFN_CORS_ORIGINS":          "the host's CORS (siteConfig.cors, Bicep parameter corsOrigins)",
	"SHOPFN_ROLE":                  "the host delivers queue messages; the default role suits it",
	"SHOPFN_METRICS_ADDR":          "no scraper on Flex Consumption; metrics go over OTLP",
	"COSMOS_KEY":                   "local peer or emulator only; Entra ID on Azure",
	"ServiceBusConnection":         "connection strings are for the emulator; identity on Azure",
	"SHOPFN_EMAIL_TEMPLATES":       "the embedded templates: overriding them needs files in the deployment package",
	"WEBSITE_SITE_NAME":            "set by the platform",
	"WEBSITE_INSTANCE_ID":          "set by the platform",
}

var notSetOnAKS = map[string]string{
	"SHOPFN_SHIPPING_AMOUNTS":       "charges in other currencies: none until the shop sells in them",
	"SHOPFN_CURSOR_KEY":             "a secret: Kubernetes Secret shopfn-secrets, filled from Key Vault shopfn-cursor-key (infra/README.md)",
	"SHOPFN_TAX_AMOUNTS":            "charges in other currencies: none until the shop sells in them",
	"FUNCTIONS_CUSTOMHANDLER_PORT":  "no Functions host on AKS",
	"SHOPFN_DATA_DIR":               "no embedded SQLite on AKS, but for dev's test payments (overlays/dev/payments.env: /tmp/shopfn)",
	"SHOPFN_ADMIN_KEY":              "Key Vault secret shopfn-admin-key",
	"STRIPE_SECRET_KEY":             "Key Vault secret stripe-secret-key",
	"STRIPE_WEBHOOK_SECRET":         "Key Vault secret stripe-webhook-secret",
	"STRIPE_API_BASE":               "tests only (stripe-mock)",
	"SHOPFN_CORS_ORIGINS":           "the default (any origin) until a storefront's origin is known",
	"COSMOS_KEY":                    "local peer or emulator only; Entra ID on Azure",
	"ServiceBusConnection":          "connection strings are for the emulator; identity on Azure",
	"SHOPFN_SHOPIFY_WEBHOOK_SECRET": "a secret: Kubernetes Secret shopfn-secrets, filled from Key Vault shopify-webhook-secret, when Shopify webhooks are taken",
	"SHOPFN_SMTP_URL":               "a secret: Kubernetes Secret shopfn-secrets, filled from Key Vault shopfn-smtp-url, when emails are sent",
	"SHOPFN_EMAIL_FROM":             "set with SHOPFN_SMTP_URL in the Secret shopfn-secrets: no emails by default",
	"SHOPFN_EMAIL_TEMPLATES":        "the embedded templates; a ConfigMap volume may override them",
	"WEBSITE_SITE_NAME":             "App Service only",
	"WEBSITE_INSTANCE_ID":           "App Service only",
}

// settingsRead returns every name LoadConfig reads, over configurations that
// take each of its branches (stores, queue, payments, roles, host).
func settingsRead(t *testing.T) map[string]bool {
	t.Helper()
	variants := []map[string]string{
		{},
		{
			"FUNCTIONS_CUSTOMHANDLER_PORT": "34567", "WEBSITE_SITE_NAME": "shopfn", "WEBSITE_INSTANCE_ID": "1",
			"SHOPFN_DOCUMENTS": "cosmos", "COSMOS_ENDPOINT": "https://shopfn.documents.azure.com:443/",
			"SHOPFN_SQL": "sqlserver", "SQLSERVER_DSN": "sqlserver://shopfn.database.windows.net?database=shopfn&fedauth=ActiveDirectoryManagedIdentity",
			"SHOPFN_QUEUE": "servicebus", "ServiceBusConnection__fullyQualifiedNamespace": "shopfn.servicebus.windows.net",
			"SHOPFN_KEYVAULT_URL": "https://shopfn.vault.azure.net/", "SHOPFN_PAYMENTS": "stripe",
		},
		{
			"SHOPFN_ROLE": "worker", "SHOPFN_QUEUE": "servicebus", "SHOPFN_METRICS_ADDR": ":9090",
			"ServiceBusConnection": "Endpoint=sb://127.0.0.1:5672;SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true;",
			"SHOPFN_DOCUMENTS":     "cosmos", "COSMOS_ENDPOINT": "http://127.0.0.1:8081", "COSMOS_KEY": "a2V5",
			"SHOPFN_PAYMENTS": "stripe", "STRIPE_SECRET_KEY": "sk_test_x", "STRIPE_WEBHOOK_SECRET": "whsec_x",
		},
		{"SHOPFN_ROLE": "api", "SHOPFN_RATE_LIMIT": "0"},
	}
	read := map[string]bool{}
	for _, v := range variants {
		LoadConfig(func(name string) string { // errors do not matter: only the names read
			read[name] = true
			return v[name]
		})
	}
	return read
}

// flexSettings returns the names of the app settings the Bicep gives the
// function app.
func flexSettings(t *testing.T, path string) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	for name := range flexAppSettings(t, path) {
		names[name] = true
	}
	return names
}

// flexAppSettings returns the appsettings resource's properties object:
// each setting's Bicep value expression.
func flexAppSettings(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	src := string(b)
	start := strings.Index(src, "'Microsoft.Web/sites/config@")
	if start < 0 {
		t.Fatalf("%s: no Microsoft.Web/sites/config resource", path)
	}
	props := strings.Index(src[start:], "properties: {")
	if props < 0 {
		t.Fatalf("%s: the appsettings resource has no properties object", path)
	}
	key := regexp.MustCompile(`^\s*'?([A-Za-z_][A-Za-z0-9_.]*)'?\s*:\s*(.*)$`)
	names := map[string]string{}
	depth := 0
	for _, line := range strings.Split(src[start+props:], "\n") {
		if depth == 1 {
			if m := key.FindStringSubmatch(line); m != nil {
				names[m[1]] = strings.TrimSpace(m[2])
			}
		}
		depth += braces(line)
		if depth == 0 {
			return names
		}
	}
	t.Fatalf("%s: unbalanced braces in the appsettings properties", path)
	return nil
}

// TestInfraFlexSettingsLoad gives LoadConfig the app settings the Bicep
// sets, with sample values for the deployment's outputs and what the
// platform adds, and expects it to accept them: the values' forms (the
// SQLSERVER_DSN URL, the vault URL, ...) are ones shopfn takes.
func TestInfraFlexSettingsLoad(t *testing.T) {
	samples := map[string]string{
		"blobEndpoint": "https://st.blob.core.windows.net/", "queueEndpoint": "https://st.queue.core.windows.net/",
		"tableEndpoint": "https://st.table.core.windows.net/", "identityClientId": "00000000-0000-0000-0000-000000000001",
		"appInsightsConnectionString": "InstrumentationKey=00000000-0000-0000-0000-000000000002",
		"cosmosEndpoint":              "https://cosmos-shopfn.documents.azure.com:443/", "cosmosDatabase": "shopfn", "cosmosPreferredRegions": "eastus2,westus3",
		"sqlHost": "sql-shopfn.database.windows.net", "sqlDatabase": "shopfn",
		"serviceBusNamespace": "sb-shopfn.servicebus.windows.net", "keyVaultUrl": "https://kv-shopfn.vault.azure.net/",
		"keyVaultName": "kv-shopfn", "payments": "stripe", "string(cartTtlHours)": "72",
		"string(sqlMaxConnections)": "1",
		"oidcIssuer":                "https://00000000-0000-0000-0000-000000000000.ciamlogin.com/00000000-0000-0000-0000-000000000000/v2.0",
		"oidcAudience":              "00000000-0000-0000-0000-000000000002",
		// Shopify webhooks and order emails on, their secrets resolved.
		"shopifyWebhookSecret": "shpss_sample", "smtpUrl": "smtp://shop.1.2@smtp.azurecomm.net:587", "emailFrom": "Shop <orders@shop.example>",
		"stripePublishableKey": "pk_test_123", "stripeReturnUrl": "https://shop.example/checkout/return",
		"empty(publicUrl) ? 'https://${site.properties.defaultHostName}' : publicUrl": "https://func-shopfn.azurewebsites.net",
	}
	interpolation := regexp.MustCompile(`\$\{(\w+)\}`)
	env := map[string]string{
		"WEBSITE_SITE_NAME": "func-shopfn", "WEBSITE_INSTANCE_ID": "1", "FUNCTIONS_CUSTOMHANDLER_PORT": "34567",
	}
	for name, expr := range flexAppSettings(t, flexBicep) {
		switch {
		case strings.HasPrefix(expr, "'@Microsoft.KeyVault("):
			env[name] = testCursorKey // a random secret the platform resolved from Key Vault before the app starts
		case strings.HasPrefix(expr, "'"):
			env[name] = interpolation.ReplaceAllStringFunc(strings.Trim(expr, "'"), func(m string) string {
				v, ok := samples[m[2:len(m)-1]]
				if !ok {
					t.Errorf("%s: no sample value for %s", name, m)
				}
				return v
			})
		default:
			v, ok := samples[expr]
			if !ok {
				t.Errorf("%s: no sample value for %s", name, expr)
			}
			env[name] = v
		}
	}
	if _, err := LoadConfig(func(name string) string { return env[name] }); err != nil {
		t.Errorf("LoadConfig refuses the Bicep's app settings: %v", err)
	}
}

// braces returns the change of brace depth on one Bicep line, ignoring
// braces inside strings ('...${expr}...' interpolations included).
func braces(line string) int {
	n, inString := 0, false
	for _, c := range line {
		switch {
		case c == '\'':
			inString = !inString
		case !inString && c == '{':
			n++
		case !inString && c == '}':
			n--
		}
	}
	return n
}

// aksSettings returns the settings the Kubernetes ConfigMaps carry: the keys
// of the env files their generators read (infra/check verifies that the
// containers take their environment from those ConfigMaps only).
func aksSettings(t *testing.T, k8s string) map[string]bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(k8s, "base", "*.env"))
	if err != nil {
		t.Fatal(err)
	}
	overlays, _ := filepath.Glob(filepath.Join(k8s, "overlays", "*", "azure.env"))
	files = append(files, overlays...)
	if len(files) < 4 {
		t.Fatalf("got env files %v, want base/{shopfn,api,worker}.env and overlays' azure.env", files)
	}
	names := map[string]bool{}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		s := bufio.NewScanner(fh)
		for s.Scan() {
			line := strings.TrimSpace(s.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			name, _, ok := strings.Cut(line, "=")
			if !ok {
				t.Errorf("%s: %q is not NAME=value", f, line)
			}
			names[name] = true
		}
		fh.Close()
	}
	return names
}

var (
	flexBicep = filepath.Join("..", "infra", "bicep", "modules", "functionapp.bicep")
	k8sDir    = filepath.Join("..", "infra", "k8s")
)

// TestInfraSettingsAgree checks both ways that the settings the deployment
// assets set (Bicep app settings, Kubernetes ConfigMaps) are the settings
// shopfn reads: nothing set that nobody reads, nothing read that a target
// neither sets nor explains.
func TestInfraSettingsAgree(t *testing.T) {
	read := settingsRead(t)
	for name := range pendingSettings {
		if read[name] {
			t.Errorf("LoadConfig now reads %s: remove it from pendingSettings in infra_test.go", name)
		}
	}
	for _, d := range disagreements(read, "the Bicep function app", flexSettings(t, flexBicep), notSetOnFlex) {
		t.Error(d)
	}
	for _, d := range disagreements(read, "the AKS ConfigMaps", aksSettings(t, k8sDir), notSetOnAKS) {
		t.Error(d)
	}
}

// TestInfraSettingsAgreeBroken breaks a copy of each asset on purpose and
// expects the disagreement to be found.
func TestInfraSettingsAgreeBroken(t *testing.T) {
	read := settingsRead(t)
	b, err := os.ReadFile(flexBicep)
	if err != nil {
		t.Fatal(err)
	}
	typo := strings.Replace(string(b), "SHOPFN_DOCUMENTS:", "SHOPFN_DOCUMENT:", 1)
	bicep := filepath.Join(t.TempDir(), "functionapp.bicep")
	if err := os.WriteFile(bicep, []byte(typo), 0o644); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(disagreements(read, "bicep", flexSettings(t, bicep), notSetOnFlex), "\n")
	for _, want := range []string{"bicep sets SHOPFN_DOCUMENT,", "reads SHOPFN_DOCUMENTS, but bicep neither sets it"} {
		if !strings.Contains(got, want) {
			t.Errorf("bicep with a misspelled setting: got %q, want it to contain %q", got, want)
		}
	}

	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "base"), 0o755)
	os.MkdirAll(filepath.Join(dir, "overlays", "dev"), 0o755)
	for _, f := range []string{"base/shopfn.env", "base/api.env", "base/worker.env", "overlays/dev/azure.env"} {
		b, err := os.ReadFile(filepath.Join(k8sDir, f))
		if err != nil {
			t.Fatal(err)
		}
		if f == "overlays/dev/azure.env" {
			b = regexp.MustCompile(`(?m)^SQLSERVER_DSN=.*\n`).ReplaceAll(b, nil)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got = strings.Join(disagreements(read, "k8s", aksSettings(t, dir), notSetOnAKS), "\n")
	if want := "reads SQLSERVER_DSN, but k8s neither sets it"; !strings.Contains(got, want) {
		t.Errorf("k8s without SQLSERVER_DSN: got %q, want it to contain %q", got, want)
	}
}

// disagreements compares the settings a target sets with the settings
// shopfn reads (read, plus pendingSettings) and returns each mismatch.
func disagreements(read map[string]bool, target string, set map[string]bool, notSet map[string]string) []string {
	var out []string
	known := func(name string) bool {
		_, platform := platformSettings[name]
		return read[name] || pendingSettings[name] || platform || strings.HasPrefix(name, "OTEL_")
	}
	for _, name := range sorted(set) {
		if !known(name) {
			out = append(out, fmt.Sprintf("%s sets %s, which shopfn does not read (a typo, or a setting to add to LoadConfig)", target, name))
		}
		if reason, ok := notSet[name]; ok {
			out = append(out, fmt.Sprintf("%s sets %s, listed as not set there (%s)", target, name, reason))
		}
	}
	wanted := map[string]bool{}
	for name := range read {
		wanted[name] = true
	}
	for name := range pendingSettings {
		wanted[name] = true
	}
	for _, name := range sorted(wanted) {
		if _, ok := notSet[name]; !set[name] && !ok {
			out = append(out, fmt.Sprintf("shopfn reads %s, but %s neither sets it nor lists why not", name, target))
		}
	}
	for name := range notSet {
		if !wanted[name] {
			out = append(out, fmt.Sprintf("%s: %s is listed as not set, but shopfn does not read it: remove it from the list", target, name))
		}
	}
	return out
}

func sorted(m map[string]bool) []string {
	s := make([]string, 0, len(m))
	for k := range m {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}

// TestInfraProbesServed starts the program and requests every HTTP probe
// path the Kubernetes manifests use: each must answer 200, or a pod never
// becomes ready (or is killed).
func TestInfraProbesServed(t *testing.T) {
	paths := map[string]bool{}
	probe := regexp.MustCompile(`(?m)^\s+path:\s*(/\S*)\s*$`)
	files, err := filepath.Glob(filepath.Join("..", "infra", "k8s", "base", "*", "deployment.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no deployments under infra/k8s/base: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range probe.FindAllStringSubmatch(string(b), -1) {
			paths[m[1]] = true
		}
	}
	if len(paths) == 0 {
		t.Fatal("no probe paths found in the deployments")
	}
	p := MustRunMain(t, false)
	for _, path := range sorted(paths) {
		if res := p.Do(t, "GET", path, nil); res.Status != 200 {
			t.Errorf("GET %s (a probe in infra/k8s): got %d, want 200", path, res.Status)
		}
	}
}
