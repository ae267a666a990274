package main

import (
	"context"
	"encoding/base64"
	"net/url"
	"os"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"shopfn/handler/commerce"
	"shopfn/handler/cosmos"
	"shopfn/handler/events"
	"shopfn/handler/sqlite"
)

// CosmosConfig reaches Cosmos DB (SHOPFN_DOCUMENTS=cosmos).
type CosmosConfig struct {
	// Endpoint, Database and Key are COSMOS_ENDPOINT, COSMOS_DATABASE and
	// COSMOS_KEY; without a key, Microsoft Entra ID (see cosmos.Credential).
	Endpoint, Database, Key string
	// PreferredRegions is COSMOS_PREFERRED_REGIONS: the account's regions,
	// nearest first, that azcosmos fails reads over to.
	PreferredRegions []string
	// Retry bounds the retries of calls Cosmos DB answers 503 or 408 or
	// the network cuts off; zero takes cosmos's defaults (tests shorten it).
	Retry cosmos.RetryOptions
}

// loadDocuments reads SHOPFN_DOCUMENTS and the Cosmos DB settings into cfg,
// checking them together.
func loadDocuments(cfg *Config, get func(name, def string) string, bad func(name, format string, args ...any)) {
	cfg.Documents = get("SHOPFN_DOCUMENTS", "sqlite")
	c := CosmosConfig{Endpoint: get("COSMOS_ENDPOINT", ""), Database: get("COSMOS_DATABASE", "shopfn"), Key: get("COSMOS_KEY", "")}
	switch cfg.Documents {
	case "sqlite":
		for _, name := range []string{"COSMOS_ENDPOINT", "COSMOS_KEY", "COSMOS_PREFERRED_REGIONS"} {
			if get(name, "") != "" {
				bad(name, "is set but SHOPFN_DOCUMENTS is sqlite; set SHOPFN_DOCUMENTS=cosmos to use Cosmos DB, or unset %s", name)
			}
		}
		return
	case "cosmos":
	default:
		bad("SHOPFN_DOCUMENTS", "%q is not sqlite or cosmos", cfg.Documents)
		return
	}
	u, err := url.Parse(c.Endpoint)
	switch {
	case c.Endpoint == "":
		bad("COSMOS_ENDPOINT", "must be set when SHOPFN_DOCUMENTS=cosmos (https://ACCOUNT.documents.azure.com:443/)")
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		bad("COSMOS_ENDPOINT", "%q is not an http(s) URL such as https://ACCOUNT.documents.azure.com:443/", c.Endpoint)
	case u.Scheme == "http" && u.Hostname() != "127.0.0.1" && u.Hostname() != "localhost" && u.Hostname() != "::1":
		bad("COSMOS_ENDPOINT", "%q: plain http is only for a local peer or emulator on this machine", c.Endpoint)
	}
	if !commerce.ValidSlug(c.Database, 255) {
		bad("COSMOS_DATABASE", "%q is not a database name of a-z, 0-9 and '-'", c.Database)
	}
	if c.Key != "" {
		if _, err := base64.StdEncoding.DecodeString(c.Key); err != nil {
			bad("COSMOS_KEY", "is not a base64 account key")
		}
	}
	if s := get("COSMOS_PREFERRED_REGIONS", ""); s != "" {
		for _, r := range strings.Split(s, ",") {
			r = strings.TrimSpace(r)
			if !validRegion(r) {
				bad("COSMOS_PREFERRED_REGIONS", "%q is not a comma-separated list of Azure regions such as westeurope,northeurope or \"West Europe\"", s)
				break
			}
			c.PreferredRegions = append(c.PreferredRegions, r)
		}
	}
	cfg.Cosmos = c
}

// validRegion reports whether r looks like an Azure region name: letters,
// digits and spaces, such as westeurope or "West Europe".
func validRegion(r string) bool {
	if r == "" || len(r) > 64 {
		return false
	}
	for _, c := range r {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == ' ') {
			return false
		}
	}
	return true
}

// documents are the catalog, cart and customer stores SHOPFN_DOCUMENTS
// chose.
type documents struct {
	Catalog   commerce.CatalogStore
	Carts     commerce.CartStore
	Customers commerce.CustomerStore
	// PriceLists holds the price lists.
	PriceLists commerce.PriceListStore
	// ShippingOptions and TaxRates hold the shipping options and tax rates.
	ShippingOptions commerce.ShippingOptionStore
	TaxRates        commerce.TaxRateStore
	// Categories holds the category documents: the catalog store itself,
	// unwrapped.
	Categories commerce.CategoryStore
	// Sweep says this process deletes expired carts; on Cosmos DB the
	// carts container's time to live does.
	Sweep bool
	// Check reads the Cosmos DB database, for the readiness probe; nil
	// for SQLite, which the probe checks with the rest of the file.
	Check func(ctx context.Context) error
}

// openDocuments opens the catalog, cart and customer stores: in the SQLite file db,
// or on Cosmos DB (perRequest runs on each of its HTTP requests). observer,
// when not nil, is told of each store call (SQLite) or request (Cosmos DB).
// Their events go to the relational event log: in the change's transaction
// when it is the same SQLite file, otherwise as pending events that ev
// relays (its outboxes are set here).
func openDocuments(ctx context.Context, cfg Config, db *sqlite.DB, perRequest []policy.Policy, observer cosmos.Observer, ev *docRelay) (documents, error) {
	switch cfg.Documents {
	case "cosmos":
		c := cosmos.Config{Endpoint: cfg.Cosmos.Endpoint, Database: cfg.Cosmos.Database, Key: cfg.Cosmos.Key,
			CartTTL: cfg.CartTTL, Getenv: os.Getenv, PerRetryPolicies: perRequest, Observer: observer,
			PreferredRegions: cfg.Cosmos.PreferredRegions, Retry: cfg.Cosmos.Retry}
		client, err := cosmos.NewClient(c)
		if err != nil {
			return documents{}, err
		}
		cdb, err := cosmos.Open(ctx, client, c)
		if err != nil {
			return documents{}, err
		}
		check := func(ctx context.Context) error {
			d, err := client.NewDatabase(c.Database)
			if err != nil {
				return err
			}
			_, err = d.Read(ctx, nil)
			return err
		}
		catalog := cosmos.NewCatalogStore(cdb)
		customers := cosmos.NewCustomerStore(cdb)
		catalog.Events, customers.Events = ev.db, ev.db
		ev.outboxes = []events.Outbox{catalog, customers}
		return documents{Catalog: catalog, Carts: cosmos.NewCartStore(cdb), Customers: customers,
			PriceLists: cosmos.NewPriceListStore(cdb), Categories: catalog, Check: check,
			ShippingOptions: cosmos.NewShippingOptionStore(cdb), TaxRates: cosmos.NewTaxRateStore(cdb)}.after(ev), nil
	default:
		carts, err := sqlite.NewCartStore(ctx, db)
		if err != nil {
			return documents{}, err
		}
		catalog := sqlite.NewCatalogStore(db)
		customers := sqlite.NewCustomerStore(db)
		lists := sqlite.NewPriceListStore(db)
		options, rates := sqlite.NewShippingOptionStore(db), sqlite.NewTaxRateStore(db)
		if observer != nil {
			catalog.Observe, carts.Observe, customers.Observe = observer.StoreCall, observer.StoreCall, observer.StoreCall
			lists.Observe = observer.StoreCall
			options.Observe, rates.Observe = observer.StoreCall, observer.StoreCall
		}
		d := documents{Catalog: catalog, Carts: carts, Customers: customers, PriceLists: lists, Categories: catalog, Sweep: true,
			ShippingOptions: options, TaxRates: rates}
		if cfg.SQL == "sqlserver" {
			outbox := sqlite.NewOutbox(db, ev.db)
			catalog.Events, customers.Events = outbox, outbox
			ev.outboxes = []events.Outbox{outbox}
			return d.after(ev), nil
		}
		// The relational store is this same file: one transaction.
		catalog.Events, customers.Events = ev.db, ev.db
		return d, nil
	}
}

// after makes d's catalog and customer stores relay their pending events
// to the log after each change (no transaction spans the two stores).
func (d documents) after(ev *docRelay) documents {
	d.Catalog = eventingCatalog{d.Catalog, ev}
	d.Customers = eventingCustomers{d.Customers, ev}
	return d
}
