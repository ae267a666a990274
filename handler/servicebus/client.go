// Package servicebus holds shopfn's queues on Azure Service Bus: a
// Publisher for the outbox relay and a commerce.Queue that the dispatcher
// receives from, on azservicebus.
package servicebus

import (
	"context"
	"fmt"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/messaging/azservicebus"
)

// NewClient returns a Service Bus client for a fully qualified namespace
// (Entra ID through azidentity's default credential chain: managed or
// workload identity, AZURE_CLIENT_ID, the Azure CLI) or, when namespace is
// empty, for a connection string, including the emulator form with
// UseDevelopmentEmulator=true.
func NewClient(namespace, connectionString string) (*azservicebus.Client, error) {
	switch {
	case namespace != "" && connectionString != "":
		return nil, fmt.Errorf("servicebus: set a namespace or a connection string, not both")
	case namespace != "":
		cred, err := azidentity.NewDefaultAzureCredential(nil)
		if err != nil {
			return nil, fmt.Errorf("servicebus: credential: %w", err)
		}
		c, err := azservicebus.NewClient(strings.TrimSuffix(strings.TrimPrefix(namespace, "sb://"), "/"), cred, nil)
		if err != nil {
			return nil, fmt.Errorf("servicebus: client for %s: %w", namespace, err)
		}
		return c, nil
	case connectionString != "":
		c, err := azservicebus.NewClientFromConnectionString(connectionString, nil)
		if err != nil {
			// The SDK's message may quote the string, key included: never wrap it.
			return nil, fmt.Errorf("servicebus: the connection string is malformed")
		}
		return c, nil
	}
	return nil, fmt.Errorf("servicebus: no namespace and no connection string")
}

// Close closes a client, for symmetry with the other adapters' Close.
func Close(ctx context.Context, c *azservicebus.Client) error {
	return c.Close(ctx)
}
