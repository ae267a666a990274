package main

import (
	"context"
	"net"

	"shopfn/handler/commerce"
	"shopfn/handler/sample"
)

// seed loads the sample catalog into an empty catalog, when this process
// seeds, with image URLs at the address browsers reach shopfn at
// (sampleImageBase).
func (m *Main) seed(ctx context.Context, catalog commerce.CatalogStore, inventory commerce.InventoryStore) error {
	if !m.parts.Seed {
		return nil
	}
	n, err := catalog.CountProducts(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	loaded, err := sample.Load(ctx, catalog, inventory, m.Now(), m.sampleImageBase())
	if err != nil {
		return err
	}
	m.Logger.Info("loaded the sample catalog", "products", loaded)
	return nil
}

// sampleImageBase is where the sample images are served as a browser on
// this machine reaches them: SHOPFN_PUBLIC_URL when set, else the listen
// address with a wildcard host (":7071", "0.0.0.0") named localhost.
func (m *Main) sampleImageBase() string {
	if m.Config.PublicURL != "" {
		return m.Config.PublicURL
	}
	host, port, err := net.SplitHostPort(m.Addr())
	if err != nil {
		return ""
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}
