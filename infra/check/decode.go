package check

import (
	"fmt"

	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// Object is one decoded manifest: a pointer to its API type, such as
// *appsv1.Deployment.
type Object interface {
	GetName() string
	GetNamespace() string
	GetLabels() map[string]string
}

// kinds maps each apiVersion and kind shopfn deploys to a new value of its
// API type. Any other kind is refused: add it here, with its real type.
var kinds = map[string]func() Object{
	"v1/ConfigMap":                           func() Object { return new(corev1.ConfigMap) },
	"v1/Service":                             func() Object { return new(corev1.Service) },
	"v1/ServiceAccount":                      func() Object { return new(corev1.ServiceAccount) },
	"apps/v1/Deployment":                     func() Object { return new(appsv1.Deployment) },
	"autoscaling/v2/HorizontalPodAutoscaler": func() Object { return new(autoscalingv2.HorizontalPodAutoscaler) },
	"policy/v1/PodDisruptionBudget":          func() Object { return new(policyv1.PodDisruptionBudget) },
	"networking.k8s.io/v1/Ingress":           func() Object { return new(networkingv1.Ingress) },
	"networking.k8s.io/v1/NetworkPolicy":     func() Object { return new(networkingv1.NetworkPolicy) },
	"keda.sh/v1alpha1/ScaledObject":          func() Object { return new(kedav1alpha1.ScaledObject) },
	"keda.sh/v1alpha1/TriggerAuthentication": func() Object { return new(kedav1alpha1.TriggerAuthentication) },
}

// Decode decodes one YAML document strictly into its API type: an unknown
// or duplicated field, a value of the wrong type or a malformed quantity
// (such as memory "128MB") is an error.
func Decode(doc []byte) (Object, error) {
	var tm metav1.TypeMeta
	if err := yaml.Unmarshal(doc, &tm); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	key := tm.APIVersion + "/" + tm.Kind
	newObj, ok := kinds[key]
	if !ok {
		return nil, fmt.Errorf("decode: %s is not a kind shopfn deploys (see kinds in decode.go)", key)
	}
	obj := newObj()
	if err := yaml.UnmarshalStrict(doc, obj); err != nil {
		return nil, fmt.Errorf("decode %s: %w", key, err)
	}
	if obj.GetName() == "" {
		return nil, fmt.Errorf("decode %s: no metadata.name", key)
	}
	return obj, nil
}

// RenderAndDecode renders the Kustomize directory dir and decodes every
// object it yields.
func RenderAndDecode(dir string) ([]Object, error) {
	docs, err := Render(dir)
	if err != nil {
		return nil, err
	}
	objs := make([]Object, 0, len(docs))
	for _, d := range docs {
		o, err := Decode(d)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", dir, err)
		}
		objs = append(objs, o)
	}
	return objs, nil
}
