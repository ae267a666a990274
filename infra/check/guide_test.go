package check

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestOverlaysAgreeWithGuide renders each overlay and checks its settings
// against the environment's Bicep parameters and what infra/README.md puts
// in that environment's Key Vault.
func TestOverlaysAgreeWithGuide(t *testing.T) {
	guide, err := ReadGuide(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ overlay, params string }{
		{"dev", "dev"}, {"prod", "prod"}, {"canary", "prod"},
	} {
		t.Run(tc.overlay, func(t *testing.T) {
			objs, err := RenderAndDecode(filepath.Join("..", "k8s", "overlays", tc.overlay))
			if err != nil {
				t.Fatal(err)
			}
			payments, err := BicepPayments(filepath.Join("..", "bicep", tc.params+".parameters.json"))
			if err != nil {
				t.Fatal(err)
			}
			for _, err := range AgreeWithGuide(Settings(objs), payments, guide.SecretsFor(payments)) {
				t.Error(err)
			}
		})
	}
}

// TestOverlaysAgreeWithGuideBroken feeds the check the settings of the base
// (Stripe) for the guide's dev environment (test payments, no Stripe
// secrets), the mismatch that kept dev pods from starting.
func TestOverlaysAgreeWithGuideBroken(t *testing.T) {
	guide, err := ReadGuide(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(guide.ProdOrStripe) == 0 {
		t.Fatal("the guide marks no secret as prod / stripe only")
	}
	errs := AgreeWithGuide(map[string]string{"SHOPFN_PAYMENTS": "stripe"}, "test", guide.SecretsFor("test"))
	var all []string
	for _, e := range errs {
		all = append(all, e.Error())
	}
	got := strings.Join(all, "\n")
	for _, want := range []string{"SHOPFN_PAYMENTS=stripe, but", "stripe-secret-key", "stripe-webhook-secret"} {
		if !strings.Contains(got, want) {
			t.Errorf("stripe settings in a test-payments environment: got %q, want it to contain %q", got, want)
		}
	}
	errs = AgreeWithGuide(map[string]string{"SHOPFN_PAYMENTS": "test", "SHOPFN_DATA_DIR": ".shopfn"}, "test", guide.SecretsFor("test"))
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "SHOPFN_DATA_DIR") {
		t.Errorf("test payments on the read-only root: got %v, want one error naming SHOPFN_DATA_DIR", errs)
	}
}

// TestGuideCommands checks the guide's shell steps against main.bicep and
// its own tool lists.
func TestGuideCommands(t *testing.T) {
	guide := readFile(t, filepath.Join("..", "README.md"))
	main := readFile(t, filepath.Join(bicepDir, "main.bicep"))
	for _, p := range GuideProblems(guide, main) {
		t.Error(p)
	}
}

// TestGuideCommandsBroken runs the check on the guide as it was: a chart
// installed with no repository added, kustomize not listed, a parameter
// and an output main.bicep lacks.
func TestGuideCommandsBroken(t *testing.T) {
	guide := readFile(t, filepath.Join("..", "README.md"))
	main := readFile(t, filepath.Join(bicepDir, "main.bicep"))
	broken := strings.Replace(guide, "helm repo add ingress-nginx", "helm repo list # ingress-nginx", 1)
	broken = strings.Replace(broken, "`kustomize` v5", "kustomize v5", 1)
	broken = strings.Replace(broken, "-p deployerClientIp=", "-p deployerClientAddress=", 1)
	broken = strings.Replace(broken, ".sqlServerName.value", ".sqlServer.value", 1)
	got := strings.Join(GuideProblems(broken, main), "\n")
	for _, want := range []string{"from ingress-nginx before any", "runs kustomize", "-p deployerClientAddress", "output sqlServer,"} {
		if !strings.Contains(got, want) {
			t.Errorf("broken guide: got %q, want it to contain %q", got, want)
		}
	}
}
