package check

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"

	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
)

// SQLWorkers is the one table of Azure SQL's worker limits: the maximum
// concurrent workers (requests) a single database of each service objective
// serves, past which it answers error 10928
// (https://learn.microsoft.com/azure/azure-sql/database/resource-limits-vcore-single-databases).
// Every instance may hold SQLSERVER_MAX_CONNS connections, each running one
// request: the instances' connections together must stay within it. Add the
// service objective here before the Bicep selects it.
var SQLWorkers = map[string]int{
	"GP_S_Gen5_1": 75, // serverless, 0.5-1 vCore: dev
	"GP_S_Gen5_2": 150,
	"GP_S_Gen5_4": 300,
	"GP_Gen5_2":   200, // provisioned, 2 vCores: prod
	"GP_Gen5_4":   400,
}

// sqlSKUs matches sql.bicep's choice of service objective: serverless (dev)
// or provisioned (prod).
var sqlSKUs = regexp.MustCompile(`sku: serverless \? \{\s*name: '(\w+)'[^}]*\} : \{\s*name: '(\w+)'`)

// SQLSKUs returns the service objectives sql.bicep selects, by environment
// ("dev" is serverless, "prod" provisioned, as main.bicep passes
// serverless: !isProd).
func SQLSKUs(bicepDir string) (map[string]string, error) {
	b, err := os.ReadFile(filepath.Join(bicepDir, "modules", "sql.bicep"))
	if err != nil {
		return nil, err
	}
	m := sqlSKUs.FindSubmatch(b)
	if m == nil {
		return nil, fmt.Errorf("sql.bicep: no `sku: serverless ? {name: ...} : {name: ...}`")
	}
	return map[string]string{"dev": string(m[1]), "prod": string(m[2])}, nil
}

// SQLPoolProblem returns a problem when n instances of conns connections
// each exceed the worker limit of sku, or sku has no limit in SQLWorkers;
// "" when they fit.
func SQLPoolProblem(where, sku string, n, conns int) string {
	limit, ok := SQLWorkers[sku]
	switch {
	case !ok:
		return fmt.Sprintf("%s: Azure SQL %s has no worker limit in SQLWorkers (infra/check/sqlpool.go)", where, sku)
	case n*conns > limit:
		return fmt.Sprintf("%s: %d instances × SQLSERVER_MAX_CONNS %d = %d connections, past the %d workers Azure SQL %s serves", where, n, conns, n*conns, limit, sku)
	}
	return ""
}

// FlexSQLPool checks a Bicep parameters file: its maximumInstanceCount
// times its sqlMaxConnections (main.bicep's defaults when it sets none)
// against the SQL tier the Bicep selects for its environment.
func FlexSQLPool(bicepDir, paramsPath string) ([]string, error) {
	skus, err := SQLSKUs(bicepDir)
	if err != nil {
		return nil, err
	}
	main, err := os.ReadFile(filepath.Join(bicepDir, "main.bicep"))
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(paramsPath)
	if err != nil {
		return nil, err
	}
	var file struct {
		Parameters map[string]struct {
			Value json.RawMessage `json:"value"`
		} `json:"parameters"`
	}
	if err := json.Unmarshal(b, &file); err != nil {
		return nil, fmt.Errorf("%s: %w", paramsPath, err)
	}
	value := func(name string) (string, error) {
		if p, ok := file.Parameters[name]; ok {
			var v any
			if err := json.Unmarshal(p.Value, &v); err != nil {
				return "", fmt.Errorf("%s: %s: %w", paramsPath, name, err)
			}
			return fmt.Sprint(v), nil
		}
		m := regexp.MustCompile(`(?m)^param ` + name + ` \w+ = '?([\w-]+)'?`).FindSubmatch(main)
		if m == nil {
			return "", fmt.Errorf("%s sets no %s and main.bicep has no default", paramsPath, name)
		}
		return string(m[1]), nil
	}
	env, err := value("environmentName")
	if err != nil {
		return nil, err
	}
	var nums [2]int
	for i, name := range []string{"maximumInstanceCount", "sqlMaxConnections"} {
		v, err := value(name)
		if err != nil {
			return nil, err
		}
		if nums[i], err = strconv.Atoi(v); err != nil {
			return nil, fmt.Errorf("%s: %s %q is not a number", paramsPath, name, v)
		}
	}
	if p := SQLPoolProblem(filepath.Base(paramsPath)+" (Flex Consumption)", skus[env], nums[0], nums[1]); p != "" {
		return []string{p}, nil
	}
	return nil, nil
}

// K8sSQLPool checks a rendered overlay: the most pods of every
// HorizontalPodAutoscaler (maxReplicas) and KEDA ScaledObject
// (maxReplicaCount) together, times the SQLSERVER_MAX_CONNS of the
// settings ConfigMap, against sku's worker limit.
func K8sSQLPool(where, sku string, objs []Object) []string {
	pods, conns := 0, 0
	for _, o := range objs {
		switch o := o.(type) {
		case *autoscalingv2.HorizontalPodAutoscaler:
			pods += int(o.Spec.MaxReplicas)
		case *kedav1alpha1.ScaledObject:
			if o.Spec.MaxReplicaCount == nil {
				return []string{fmt.Sprintf("%s: ScaledObject %s has no maxReplicaCount: KEDA's default of 100 pods", where, o.Name)}
			}
			pods += int(*o.Spec.MaxReplicaCount)
		case *corev1.ConfigMap:
			if v, ok := o.Data["SQLSERVER_MAX_CONNS"]; ok {
				n, err := strconv.Atoi(v)
				if err != nil {
					return []string{fmt.Sprintf("%s: ConfigMap %s: SQLSERVER_MAX_CONNS %q is not a number", where, o.Name, v)}
				}
				conns = max(conns, n)
			}
		}
	}
	if conns == 0 {
		return []string{where + ": no ConfigMap sets SQLSERVER_MAX_CONNS (shopfn's default is 10)"}
	}
	if p := SQLPoolProblem(where+" (HPA maxReplicas + KEDA maxReplicaCount)", sku, pods, conns); p != "" {
		return []string{p}
	}
	return nil
}
