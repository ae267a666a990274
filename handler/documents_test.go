package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"testing"

	"shopfn/handler/cosmos/cosmostest"
)

// testCosmos is the endpoint of the Cosmos DB peer that the end-to-end
// tests keep catalogs and carts on when SHOPFN_TEST_DOCUMENTS=cosmos (the
// mode scripts/test.sh runs the money-path tests in once more); empty
// means SQLite.
var testCosmos string

// startTestDocuments starts the Cosmos DB peer when SHOPFN_TEST_DOCUMENTS
// asks for it, and returns what stops it.
func startTestDocuments() (stop func(), err error) {
	switch mode := os.Getenv("SHOPFN_TEST_DOCUMENTS"); mode {
	case "", "sqlite":
		return func() {}, nil
	case "cosmos":
		peer, err := cosmostest.Start()
		if err != nil {
			return nil, fmt.Errorf("SHOPFN_TEST_DOCUMENTS=cosmos: %w", err)
		}
		testCosmos = peer.Endpoint
		return peer.Stop, nil
	default:
		return nil, fmt.Errorf("SHOPFN_TEST_DOCUMENTS=%q is not sqlite or cosmos", mode)
	}
}

// useTestDocuments points cfg at a new, empty Cosmos DB database on the
// peer when the tests run in Cosmos mode.
func useTestDocuments(cfg *Config) {
	if testCosmos == "" {
		return
	}
	cfg.Documents = "cosmos"
	cfg.Cosmos = CosmosConfig{Endpoint: testCosmos, Database: newTestDatabase(), Key: cosmostest.Key}
}

// testDocumentsEnv returns the settings that put a subprocess's catalog and
// carts in a new database on the peer in Cosmos mode.
func testDocumentsEnv() []string {
	if testCosmos == "" {
		return nil
	}
	return []string{"SHOPFN_DOCUMENTS=cosmos", "COSMOS_ENDPOINT=" + testCosmos, "COSMOS_DATABASE=" + newTestDatabase(), "COSMOS_KEY=" + cosmostest.Key}
}

func newTestDatabase() string {
	b := make([]byte, 8)
	rand.Read(b)
	return "e2e-" + hex.EncodeToString(b)
}

func TestDocumentsMode(t *testing.T) {
	if testCosmos == "" {
		t.Skip("the end-to-end tests run on SQLite documents; SHOPFN_TEST_DOCUMENTS=cosmos runs them on the Cosmos DB peer")
	}
	p := MustRunMain(t, false)
	if p.Config.Documents != "cosmos" {
		t.Fatalf("got documents %q, want cosmos", p.Config.Documents)
	}
}
