package check

import (
	"fmt"
	"strings"

	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Rules applies shopfn's rules to the objects of one rendered overlay and
// returns every violation: pods run non-root on a read-only root file
// system without privilege escalation, with probes, requests and limits;
// rolling updates never lower capacity; containers take their settings
// only from ConfigMaps of the same overlay, and SHOPFN_ROLE matches the
// Deployment's component; every reference (ServiceAccount, Service, HPA,
// PDB, ScaledObject, TriggerAuthentication, Ingress backend) resolves.
func Rules(objs []Object) []error {
	var errs []error
	bad := func(o Object, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%T %s: %s", o, o.GetName(), fmt.Sprintf(format, args...)))
	}
	configMaps := map[string]*corev1.ConfigMap{}
	deployments := map[string]*appsv1.Deployment{}
	services := map[string]*corev1.Service{}
	accounts := map[string]bool{}
	triggerAuths := map[string]*kedav1alpha1.TriggerAuthentication{}
	for _, o := range objs {
		switch o := o.(type) {
		case *corev1.ConfigMap:
			configMaps[o.Name] = o
		case *appsv1.Deployment:
			deployments[o.Name] = o
		case *corev1.Service:
			services[o.Name] = o
		case *corev1.ServiceAccount:
			accounts[o.Name] = true
		case *kedav1alpha1.TriggerAuthentication:
			triggerAuths[o.Name] = o
		}
	}
	selects := func(sel map[string]string) []string {
		var names []string
		if len(sel) == 0 {
			return nil
		}
		for _, d := range deployments {
			if labels.SelectorFromSet(sel).Matches(labels.Set(d.Spec.Template.Labels)) {
				names = append(names, d.Name)
			}
		}
		return names
	}

	stableHosts := map[string]bool{}
	for _, o := range objs {
		if in, ok := o.(*networkingv1.Ingress); ok && in.Annotations["nginx.ingress.kubernetes.io/canary"] != "true" {
			for _, r := range in.Spec.Rules {
				stableHosts[r.Host] = true
			}
		}
	}

	for _, o := range objs {
		switch o := o.(type) {
		case *appsv1.Deployment:
			errs = append(errs, deploymentRules(o, configMaps, accounts)...)
		case *corev1.Service:
			if got := selects(o.Spec.Selector); len(got) != 1 {
				bad(o, "selector %v selects the pods of %v, want exactly one Deployment", o.Spec.Selector, got)
			}
		case *policyv1.PodDisruptionBudget:
			if o.Spec.Selector == nil || len(selects(o.Spec.Selector.MatchLabels)) != 1 {
				bad(o, "selector does not select exactly one Deployment's pods")
			}
		case *autoscalingv2.HorizontalPodAutoscaler:
			d := deployments[o.Spec.ScaleTargetRef.Name]
			if o.Spec.ScaleTargetRef.Kind != "Deployment" || d == nil {
				bad(o, "scales %s %q, which this overlay does not define", o.Spec.ScaleTargetRef.Kind, o.Spec.ScaleTargetRef.Name)
			} else if d.Spec.Replicas != nil {
				bad(o, "Deployment %s sets replicas; the HPA owns the count", d.Name)
			}
		case *kedav1alpha1.ScaledObject:
			d := deployments[o.Spec.ScaleTargetRef.Name]
			if d == nil {
				bad(o, "scales %q, which this overlay does not define", o.Spec.ScaleTargetRef.Name)
			} else if d.Spec.Replicas != nil {
				bad(o, "Deployment %s sets replicas; KEDA owns the count", d.Name)
			}
			for _, tr := range o.Spec.Triggers {
				if tr.Type != "azure-servicebus" || tr.Metadata["queueName"] == "" || tr.Metadata["namespace"] == "" {
					bad(o, "trigger %q: want azure-servicebus with queueName and namespace", tr.Name)
				}
				if tr.AuthenticationRef == nil || triggerAuths[tr.AuthenticationRef.Name] == nil {
					bad(o, "trigger %q: authenticationRef does not name a TriggerAuthentication of this overlay", tr.Name)
					continue
				}
				if p := triggerAuths[tr.AuthenticationRef.Name].Spec.PodIdentity; p == nil || p.Provider != kedav1alpha1.PodIdentityProviderAzureWorkload {
					bad(o, "trigger %q: TriggerAuthentication must use podIdentity azure-workload", tr.Name)
				}
			}
		case *networkingv1.Ingress:
			if len(o.Spec.TLS) == 0 {
				bad(o, "no TLS")
			}
			if o.Annotations["nginx.ingress.kubernetes.io/limit-rps"] == "" {
				bad(o, "no per-client rate limit (nginx.ingress.kubernetes.io/limit-rps)")
			}
			for _, r := range o.Spec.Rules {
				if o.Annotations["nginx.ingress.kubernetes.io/canary"] == "true" && !stableHosts[r.Host] {
					bad(o, "canary host %q has no stable Ingress to take a weight of", r.Host)
				}
				for _, p := range r.HTTP.Paths {
					if p.Backend.Service == nil || services[p.Backend.Service.Name] == nil {
						bad(o, "path %s: backend is not a Service of this overlay", p.Path)
					}
				}
			}
		}
	}
	return errs
}

// SecretName is the one Secret the pods read settings from: made from Key
// Vault at deploy time (infra/README.md), never part of the manifests.
const SecretName = "shopfn-secrets"

// deploymentRules checks one Deployment's pod template.
func deploymentRules(d *appsv1.Deployment, configMaps map[string]*corev1.ConfigMap, accounts map[string]bool) []error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("Deployment %s: %s", d.Name, fmt.Sprintf(format, args...)))
	}
	ru := d.Spec.Strategy.RollingUpdate
	if d.Spec.Strategy.Type != appsv1.RollingUpdateDeploymentStrategyType || ru == nil || ru.MaxUnavailable == nil || ru.MaxUnavailable.IntValue() != 0 {
		bad("want a RollingUpdate with maxUnavailable 0")
	}
	pod := d.Spec.Template.Spec
	if !accounts[pod.ServiceAccountName] {
		bad("serviceAccountName %q is not a ServiceAccount of this overlay", pod.ServiceAccountName)
	}
	if d.Spec.Template.Labels["azure.workload.identity/use"] != "true" {
		bad("pods lack the label azure.workload.identity/use: \"true\"")
	}
	if pod.SecurityContext == nil || pod.SecurityContext.RunAsNonRoot == nil || !*pod.SecurityContext.RunAsNonRoot {
		bad("pod securityContext.runAsNonRoot is not true")
	}
	role := d.Labels["app.kubernetes.io/component"]
	for _, c := range pod.Containers {
		sc := c.SecurityContext
		switch {
		case sc == nil:
			bad("container %s has no securityContext", c.Name)
		case sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem:
			bad("container %s: readOnlyRootFilesystem is not true", c.Name)
		case sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation:
			bad("container %s: allowPrivilegeEscalation is not false", c.Name)
		}
		if c.StartupProbe == nil || c.ReadinessProbe == nil || c.LivenessProbe == nil {
			bad("container %s: want startup, readiness and liveness probes", c.Name)
		}
		for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
			if _, ok := c.Resources.Requests[r]; !ok {
				bad("container %s: no %s request", c.Name, r)
			}
		}
		if _, ok := c.Resources.Limits[corev1.ResourceMemory]; !ok {
			bad("container %s: no memory limit", c.Name)
		}
		if len(c.Env) > 0 {
			bad("container %s: settings come from ConfigMaps (infra/k8s/**/*.env, checked against LoadConfig), not env", c.Name)
		}
		env := map[string]string{}
		for _, e := range c.EnvFrom {
			if e.SecretRef != nil && e.SecretRef.Name == SecretName {
				continue
			}
			if e.ConfigMapRef == nil || configMaps[e.ConfigMapRef.Name] == nil {
				bad("container %s: envFrom is not a ConfigMap of this overlay", c.Name)
				continue
			}
			for k, v := range configMaps[e.ConfigMapRef.Name].Data {
				env[k] = v
			}
		}
		if env["SHOPFN_ROLE"] != role {
			bad("container %s: SHOPFN_ROLE is %q, want %q (the component label)", c.Name, env["SHOPFN_ROLE"], role)
		}
		for k, v := range env {
			if strings.Contains(strings.ToLower(k), "key") && v != "" && k != "SHOPFN_KEYVAULT_URL" {
				bad("container %s: %s carries a value; secrets come from Key Vault", c.Name, k)
			}
		}
	}
	return errs
}
