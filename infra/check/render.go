// Package check verifies shopfn's deployment assets offline: it renders each
// Kustomize overlay under infra/k8s with the kustomize library (the code
// behind `kubectl apply -k`), decodes every object strictly into the real
// Kubernetes and KEDA API types, and applies shopfn's rules (security
// context, probes, selectors, settings only from ConfigMaps). Its tests also
// run actionlint on the workflows and the tree-sitter Bicep grammar on the
// Bicep files. It is its own module so that the heavy Kubernetes dependencies
// stay out of shopfn's binary and main module.
package check

import (
	"fmt"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// Render builds the Kustomize directory dir, as `kubectl apply -k dir`
// would, and returns each resulting object as one YAML document.
func Render(dir string) ([][]byte, error) {
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	m, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", dir, err)
	}
	var docs [][]byte
	for _, r := range m.Resources() {
		b, err := r.AsYAML()
		if err != nil {
			return nil, fmt.Errorf("render %s: %s: %w", dir, r.CurId(), err)
		}
		docs = append(docs, b)
	}
	return docs, nil
}
