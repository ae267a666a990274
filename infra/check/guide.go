package check

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// Guide is what infra/README.md has a person put in Key Vault, per
// environment: every secret its `az keyvault secret set` lines set, and
// those it marks for prod or Stripe only (a dev environment taking test
// payments skips them).
type Guide struct {
	Secrets      []string
	ProdOrStripe []string
}

var secretSet = regexp.MustCompile(`az keyvault secret set\s.*?-n\s+([a-z0-9-]+)(.*)`)

// ReadGuide reads the Key Vault steps of the guide at path.
func ReadGuide(path string) (Guide, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Guide{}, err
	}
	var g Guide
	for _, m := range secretSet.FindAllStringSubmatch(string(b), -1) {
		g.Secrets = append(g.Secrets, m[1])
		if strings.Contains(m[2], "prod / stripe only") {
			g.ProdOrStripe = append(g.ProdOrStripe, m[1])
		}
	}
	if len(g.Secrets) == 0 {
		return g, fmt.Errorf("%s: no `az keyvault secret set` lines", path)
	}
	return g, nil
}

// SecretsFor returns the secrets the guide puts in Key Vault for an
// environment taking payments ("test" or "stripe").
func (g Guide) SecretsFor(payments string) []string {
	if payments == "stripe" {
		return g.Secrets
	}
	var out []string
	for _, s := range g.Secrets {
		if !slices.Contains(g.ProdOrStripe, s) {
			out = append(out, s)
		}
	}
	return out
}

// BicepPayments returns the payments parameter of a Bicep parameters file.
func BicepPayments(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	var doc struct {
		Parameters map[string]struct {
			Value any `json:"value"`
		} `json:"parameters"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	p, ok := doc.Parameters["payments"].Value.(string)
	if !ok {
		return "", fmt.Errorf("%s: no payments parameter", path)
	}
	return p, nil
}

// Settings returns the settings every pod of objs gets from the shared
// ConfigMap (shopfn-settings, whatever its hash suffix).
func Settings(objs []Object) map[string]string {
	out := map[string]string{}
	for _, o := range objs {
		if cm, ok := o.(*corev1.ConfigMap); ok && strings.HasPrefix(cm.Name, "shopfn-settings") {
			for k, v := range cm.Data {
				out[k] = v
			}
		}
	}
	return out
}

// AgreeWithGuide checks an environment's pod settings against its Bicep
// payments parameter and the secrets the guide puts in its Key Vault: the
// payment provider is the one the environment was deployed for, every
// secret shopfn reads from the vault with those settings is there, and the
// test provider's file is on the pods' one writable volume (/tmp).
func AgreeWithGuide(settings map[string]string, payments string, secrets []string) []error {
	var errs []error
	got := settings["SHOPFN_PAYMENTS"]
	if got != payments {
		errs = append(errs, fmt.Errorf("SHOPFN_PAYMENTS=%s, but the environment's Bicep parameters take payments %q", got, payments))
	}
	need := []string{"shopfn-admin-key", "shopfn-cursor-key"}
	if got == "stripe" {
		need = append(need, "stripe-secret-key", "stripe-webhook-secret")
	}
	for _, s := range need {
		if !slices.Contains(secrets, s) {
			errs = append(errs, fmt.Errorf("SHOPFN_PAYMENTS=%s reads Key Vault secret %s, which the guide does not set for this environment (pods would fail to start)", got, s))
		}
	}
	if got == "test" && !strings.HasPrefix(settings["SHOPFN_DATA_DIR"], "/tmp/") {
		errs = append(errs, fmt.Errorf("test payments keep a file in SHOPFN_DATA_DIR=%q: it must be under /tmp, the pods' only writable volume", settings["SHOPFN_DATA_DIR"]))
	}
	return errs
}

var (
	deployParam = regexp.MustCompile(`-p\s+((?:[A-Za-z]\w*=\S*\s*)+)`)
	outputRead  = regexp.MustCompile(`jq -r \.(\w+)\.value outputs\.json`)
	helmRepoAdd = regexp.MustCompile(`helm repo add (\S+) `)
	helmInstall = regexp.MustCompile(`helm install \S+ ([^/\s]+)/`)
)

// GuideProblems checks the shell steps of the guide src against main.bicep
// (mainSrc) and its own tool lists: every -p name=value it passes is a
// parameter, every output it reads is an output, a chart is installed only
// from a repository added before, and every tool it runs is listed on a
// "Tools" line.
func GuideProblems(src, mainSrc string) []string {
	var problems []string
	params := BicepParams(mainSrc)
	for _, m := range deployParam.FindAllStringSubmatch(src, -1) {
		for _, kv := range strings.Fields(m[1]) {
			name, _, _ := strings.Cut(kv, "=")
			if _, ok := params[name]; !ok {
				problems = append(problems, fmt.Sprintf("the guide passes -p %s, which main.bicep does not declare", name))
			}
		}
	}
	outputs := map[string]bool{}
	for _, m := range outputDecl.FindAllStringSubmatch(mainSrc, -1) {
		outputs[m[1]] = true
	}
	for _, m := range outputRead.FindAllStringSubmatch(src, -1) {
		if !outputs[m[1]] {
			problems = append(problems, fmt.Sprintf("the guide reads output %s, which main.bicep does not declare", m[1]))
		}
	}
	added := map[string]int{}
	for _, m := range helmRepoAdd.FindAllStringSubmatchIndex(src, -1) {
		added[src[m[2]:m[3]]] = m[0]
	}
	for _, m := range helmInstall.FindAllStringSubmatchIndex(src, -1) {
		repo := src[m[2]:m[3]]
		if at, ok := added[repo]; !ok || at > m[0] {
			problems = append(problems, fmt.Sprintf("the guide installs a chart from %s before any `helm repo add %s`", repo, repo))
		}
	}
	// The Tools paragraphs: a line starting "Tools" up to the blank line.
	var tools strings.Builder
	in := false
	for _, line := range strings.Split(src, "\n") {
		in = strings.HasPrefix(line, "Tools") || in && strings.TrimSpace(line) != ""
		if in {
			tools.WriteString(line + "\n")
		}
	}
	for _, tool := range []string{"kubectl", "helm", "kustomize", "sqlcmd", "jq", "curl", "openssl", "zip"} {
		used := regexp.MustCompile(`(?m)(^|\(|&& |\$\()(cd [^)]*&& )?` + tool + `\s`).MatchString(src)
		if used && !strings.Contains(tools.String(), "`"+tool+"`") {
			problems = append(problems, fmt.Sprintf("the guide runs %s, which no Tools line lists", tool))
		}
	}
	return problems
}
