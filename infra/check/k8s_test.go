package check

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var overlays = []string{"dev", "prod", "canary"}

// TestOverlays renders every overlay, decodes it strictly and applies the
// rules.
func TestOverlays(t *testing.T) {
	for _, name := range overlays {
		t.Run(name, func(t *testing.T) {
			objs, err := RenderAndDecode(filepath.Join("..", "k8s", "overlays", name))
			if err != nil {
				t.Fatal(err)
			}
			for _, err := range Rules(objs) {
				t.Error(err)
			}
			kinds := map[string]int{}
			for _, o := range objs {
				kinds[kindOf(o)]++
			}
			want := map[string]int{"Deployment": 2, "ScaledObject": 1, "TriggerAuthentication": 1, "HorizontalPodAutoscaler": 1,
				"Ingress": 1, "NetworkPolicy": 1, "ServiceAccount": 1, "Service": 1, "ConfigMap": 3, "PodDisruptionBudget": 1}
			if name == "canary" { // plus the canary api's Deployment, Service, HPA and Ingress
				want["Deployment"], want["Service"], want["HorizontalPodAutoscaler"], want["Ingress"] = 3, 2, 2, 2
			}
			for k, n := range want {
				if kinds[k] != n {
					t.Errorf("got %d %s, want %d (all: %v)", kinds[k], k, n, kinds)
				}
			}
		})
	}
}

// TestCanaryOverlay checks that the canary api gets its own pods, Service
// and weighted Ingress, and that the stable Service does not reach the
// canary's pods.
func TestCanaryOverlay(t *testing.T) {
	docs, err := Render(filepath.Join("..", "k8s", "overlays", "canary"))
	if err != nil {
		t.Fatal(err)
	}
	all := string(joinDocs(docs))
	for _, want := range []string{
		"name: shopfn-api-canary",
		"nginx.ingress.kubernetes.io/canary: \"true\"",
		"nginx.ingress.kubernetes.io/canary-weight: \"10\"",
		"shopfn.io/track: canary",
		"shopfn.io/track: stable",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("rendered canary overlay lacks %q", want)
		}
	}
}

// TestBrokenManifests breaks a copy of the manifests on purpose, one way
// at a time, and expects the check to fail with the right message.
func TestBrokenManifests(t *testing.T) {
	tests := []struct {
		name, file, old, new, want string
	}{
		{"UnknownField", "base/api/deployment.yaml", "revisionHistoryLimit: 5", "revisionHistoryLimt: 5", `unknown field "revisionHistoryLimt"`},
		{"BadQuantity", "base/worker/deployment.yaml", "memory: 512Mi", "memory: 512MB", "quantities must match"},
		{"UnknownKEDAField", "base/worker/scaledobject.yaml", "minReplicaCount: 0", "minReplicas: 0", `unknown field "minReplicas"`},
		{"WritableRoot", "base/api/deployment.yaml", "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false", "readOnlyRootFilesystem is not true"},
		{"MaxUnavailable", "base/worker/deployment.yaml", "maxUnavailable: 0", "maxUnavailable: 1", "maxUnavailable 0"},
		{"HPATarget", "base/api/hpa.yaml", "    name: shopfn-api\n  minReplicas", "    name: shopfn-apii\n  minReplicas", `scales Deployment "shopfn-apii`},
		{"ReplicasUnderHPA", "base/api/deployment.yaml", "  revisionHistoryLimit: 5", "  replicas: 2\n  revisionHistoryLimit: 5", "the HPA owns the count"},
		{"WrongRole", "base/worker.env", "SHOPFN_ROLE=worker", "SHOPFN_ROLE=api", `SHOPFN_ROLE is "api", want "worker"`},
		{"KindNotDeployed", "base/shared/serviceaccount.yaml", "kind: ServiceAccount", "kind: Secret", "v1/Secret is not a kind"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			copyDir(t, filepath.Join("..", "k8s"), dir)
			path := filepath.Join(dir, tt.file)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), tt.old) {
				t.Fatalf("%s does not contain %q: update this test", tt.file, tt.old)
			}
			if err := os.WriteFile(path, []byte(strings.Replace(string(b), tt.old, tt.new, 1)), 0o644); err != nil {
				t.Fatal(err)
			}
			objs, err := RenderAndDecode(filepath.Join(dir, "overlays", "dev"))
			var got []string
			if err != nil {
				got = append(got, err.Error())
			} else {
				for _, e := range Rules(objs) {
					got = append(got, e.Error())
				}
			}
			if !strings.Contains(strings.Join(got, "\n"), tt.want) {
				t.Errorf("got errors %q, want one containing %q", got, tt.want)
			}
		})
	}
}

// kindOf returns the Go type name of o, which is its kind.
func kindOf(o Object) string {
	s := fmt.Sprintf("%T", o)
	return s[strings.LastIndex(s, ".")+1:]
}

func joinDocs(docs [][]byte) []byte {
	var b []byte
	for _, d := range docs {
		b = append(append(b, d...), "---\n"...)
	}
	return b
}

// copyDir copies the tree src into dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
