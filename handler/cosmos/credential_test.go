package cosmos

import (
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

func TestCredential(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	cred, err := Credential(env(map[string]string{"WEBSITE_INSTANCE_ID": "abc", "AZURE_CLIENT_ID": "00000000-0000-0000-0000-000000000001"}))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cred.(*azidentity.ManagedIdentityCredential); !ok {
		t.Errorf("under Azure Functions: got %T, want *azidentity.ManagedIdentityCredential", cred)
	}
	cred, err = Credential(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cred.(*azidentity.DefaultAzureCredential); !ok {
		t.Errorf("elsewhere: got %T, want *azidentity.DefaultAzureCredential", cred)
	}
}
