package cosmos

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/data/azcosmos"
)

// The container names and their partition key paths.
const (
	ProductsContainer  = "products"
	CartsContainer     = "carts"
	CustomersContainer = "customers"
	PricingContainer   = "pricing"
)

// maxThrottleRetries is how often a request answered 429 is retried, each
// time after the x-ms-retry-after-ms the service asked for, before the
// caller gets "unavailable".
const maxThrottleRetries = 5

// Config says how to reach Cosmos DB.
type Config struct {
	// Endpoint is the account endpoint, https://ACCOUNT.documents.azure.com:443/
	// (or http://127.0.0.1:PORT for a local peer).
	Endpoint string
	// Database is the database holding the containers.
	Database string
	// Key is an account key; empty means Microsoft Entra ID (Credential).
	Key string
	// CartTTL is the carts container's default time to live.
	CartTTL time.Duration
	// Getenv reads azidentity's settings (AZURE_CLIENT_ID, WEBSITE_INSTANCE_ID);
	// nil means no environment.
	Getenv func(string) string
	// PerRetryPolicies run on every HTTP request sent, retries included;
	// benchmarks count requests with one.
	PerRetryPolicies []policy.Policy
	// Observer, when set, is told of every call: its operation, latency,
	// error and request charge (telemetry's *Metrics).
	Observer Observer
	// Transport, when set, replaces the HTTP client (tests).
	Transport policy.Transporter
	// PreferredRegions are the account's regions in the order requests
	// go to them (COSMOS_PREFERRED_REGIONS, "West Europe" or
	// "westeurope"): with more than one, azcosmos sends a read that one
	// region answers 503 to the next. Empty: the endpoint's region only.
	PreferredRegions []string
	// Retry bounds the retries of calls answered 503 or 408, or cut off
	// by the network (see retryPolicy); zero fields take its defaults.
	Retry RetryOptions
}

// NewClient returns an azcosmos client for cfg: with the account key when
// cfg.Key is set, otherwise with a Microsoft Entra ID credential (see
// Credential). Requests answered 429 are retried after the service's
// x-ms-retry-after-ms, at most maxThrottleRetries times; those answered
// 503 or 408, or cut off by the network, as retryPolicy says, within
// cfg.Retry. cfg.Observer, when set, is told of every call.
func NewClient(cfg Config) (*azcosmos.Client, error) {
	opts := &azcosmos.ClientOptions{ClientOptions: azcore.ClientOptions{
		Retry: policy.RetryOptions{
			// Only throttling, which is never applied: 503, 408 and transport
			// failures are retryPolicy's, which knows which writes may be
			// sent twice.
			StatusCodes:   []int{http.StatusTooManyRequests},
			MaxRetries:    maxThrottleRetries,
			RetryDelay:    100 * time.Millisecond,
			MaxRetryDelay: 5 * time.Second,
		},
		PerRetryPolicies: cfg.PerRetryPolicies,
		Transport:        cfg.Transport,
	}, PreferredRegions: cfg.PreferredRegions}
	if cfg.Observer != nil {
		opts.PerCallPolicies = []policy.Policy{observePolicy{o: cfg.Observer, now: time.Now}}
	}
	opts.PerCallPolicies = append(opts.PerCallPolicies, retryPolicy{o: cfg.Retry})
	if cfg.Key != "" {
		cred, err := azcosmos.NewKeyCredential(cfg.Key)
		if err != nil {
			return nil, fmt.Errorf("cosmos: COSMOS_KEY: %w", err)
		}
		return azcosmos.NewClientWithKey(cfg.Endpoint, cred, opts)
	}
	getenv := cfg.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	cred, err := Credential(getenv)
	if err != nil {
		return nil, err
	}
	return azcosmos.NewClient(cfg.Endpoint, cred, opts)
}

// Credential returns the Microsoft Entra ID credential shopfn uses without a
// key. Under Azure Functions (WEBSITE_INSTANCE_ID set) it is the app's
// managed identity, user-assigned when AZURE_CLIENT_ID names one: the one
// credential that can work there, with no probing of others at start.
// Elsewhere it is DefaultAzureCredential, which covers AKS workload identity
// (AZURE_FEDERATED_TOKEN_FILE), a VM's managed identity, environment
// credentials and a developer's Azure CLI or azd login on a laptop.
func Credential(getenv func(string) string) (azcore.TokenCredential, error) {
	if getenv("WEBSITE_INSTANCE_ID") != "" {
		var o azidentity.ManagedIdentityCredentialOptions
		if id := getenv("AZURE_CLIENT_ID"); id != "" {
			o.ID = azidentity.ClientID(id)
		}
		cred, err := azidentity.NewManagedIdentityCredential(&o)
		if err != nil {
			return nil, fmt.Errorf("cosmos: managed identity: %w", err)
		}
		return cred, nil
	}
	cred, err := azidentity.NewDefaultAzureCredential(nil)
	if err != nil {
		return nil, fmt.Errorf("cosmos: Entra ID credential (set COSMOS_KEY for a key instead): %w", err)
	}
	return cred, nil
}

// DB is a Cosmos DB database with shopfn's containers.
type DB struct {
	products, carts, customers *azcosmos.ContainerClient
	// pricing holds price lists, shipping options and tax rates, each in
	// its own logical partition.
	pricing *azcosmos.ContainerClient
}

// Open checks that the database and its containers exist, creating what is
// missing when the identity may, and sets the carts container's default
// time to live to cfg.CartTTL.
func Open(ctx context.Context, client *azcosmos.Client, cfg Config) (*DB, error) {
	db, err := client.NewDatabase(cfg.Database)
	if err != nil {
		return nil, err
	}
	if _, err := db.Read(ctx, nil); status(err) == http.StatusNotFound {
		_, err = client.CreateDatabase(ctx, azcosmos.DatabaseProperties{ID: cfg.Database}, nil)
		if err != nil && status(err) != http.StatusConflict {
			return nil, fmt.Errorf("cosmos: database %q is missing and could not be created; create it (infra/) or use a key that may: %w", cfg.Database, err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("cosmos: read database %q: %w", cfg.Database, err)
	}
	products, err := ensureContainer(ctx, db, ProductsContainer, "/category", nil)
	if err != nil {
		return nil, err
	}
	carts, err := ensureContainer(ctx, db, CartsContainer, "/id", cartTTLSeconds(cfg.CartTTL))
	if err != nil {
		return nil, err
	}
	customers, err := ensureContainer(ctx, db, CustomersContainer, "/id", nil)
	if err != nil {
		return nil, err
	}
	pricing, err := ensureContainer(ctx, db, PricingContainer, "/id", nil)
	if err != nil {
		return nil, err
	}
	return &DB{products: products, carts: carts, customers: customers, pricing: pricing}, nil
}

// cartTTLSeconds is the carts container's default time to live.
func cartTTLSeconds(ttl time.Duration) *int32 {
	s := int32(ttl / time.Second)
	if s <= 0 {
		s = -1 // on, items live until they say otherwise
	}
	return &s
}

// ensureContainer reads a container, creates it when missing, and sets its
// default time to live when it differs from ttl (nil: no TTL).
func ensureContainer(ctx context.Context, db *azcosmos.DatabaseClient, name, pkPath string, ttl *int32) (*azcosmos.ContainerClient, error) {
	c, err := db.NewContainer(name)
	if err != nil {
		return nil, err
	}
	resp, err := c.Read(ctx, nil)
	switch {
	case status(err) == http.StatusNotFound:
		props := azcosmos.ContainerProperties{
			ID:                     name,
			PartitionKeyDefinition: azcosmos.PartitionKeyDefinition{Paths: []string{pkPath}},
			DefaultTimeToLive:      ttl,
		}
		if _, err := db.CreateContainer(ctx, props, nil); err != nil && status(err) != http.StatusConflict {
			return nil, fmt.Errorf("cosmos: container %q (partition key %s) is missing and could not be created; create it (infra/): %w", name, pkPath, err)
		}
		return c, nil
	case err != nil:
		return nil, fmt.Errorf("cosmos: read container %q: %w", name, err)
	}
	props := resp.ContainerProperties
	if props == nil || len(props.PartitionKeyDefinition.Paths) != 1 || props.PartitionKeyDefinition.Paths[0] != pkPath {
		return nil, fmt.Errorf("cosmos: container %q must have partition key %s", name, pkPath)
	}
	if ttl != nil && (props.DefaultTimeToLive == nil || *props.DefaultTimeToLive != *ttl) {
		props.DefaultTimeToLive = ttl
		if _, err := c.Replace(ctx, *props, nil); err != nil {
			return nil, fmt.Errorf("cosmos: set container %q default time to live to %d s (CART_TTL_HOURS); set it in infra/ if this identity may not: %w", name, *ttl, err)
		}
	}
	return c, nil
}

// status returns the HTTP status of an azcore.ResponseError, or 0.
func status(err error) int {
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		return re.StatusCode
	}
	return 0
}
