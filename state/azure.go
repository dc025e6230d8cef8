package state

import (
	"context"
	"fmt"
	"io"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
)

// SharedKey returns the shared-key credential of a storage account, from
// its name and one of its access keys (base64, as the portal shows it).
func SharedKey(account, key string) (*azblob.SharedKeyCredential, error) {
	cred, err := azblob.NewSharedKeyCredential(account, key)
	if err != nil {
		return nil, fmt.Errorf("reading the access key of storage account %s: %w", quote(account), err)
	}
	return cred, nil
}

// AzureStore is a BlobStore on one container of an Azure Storage account
// (or Azurite): the blob under key "a/b.tfstate" is the block blob of that
// name. A block blob upload replaces the blob whole, so readers see the
// old blob or the new one.
type AzureStore struct {
	client    *azblob.Client
	container string
}

// NewAzureStore returns an AzureStore on container at serviceURL, for
// example https://<account>.blob.core.windows.net/ or, for Azurite,
// http://127.0.0.1:10000/devstoreaccount1. The container must exist
// (EnsureContainer).
func NewAzureStore(serviceURL, container string, cred *azblob.SharedKeyCredential) (*AzureStore, error) {
	client, err := azblob.NewClientWithSharedKeyCredential(serviceURL, cred, nil)
	if err != nil {
		return nil, fmt.Errorf("connecting to blob service %s: %w", serviceURL, err)
	}
	return &AzureStore{client: client, container: container}, nil
}

// Put uploads data as the block blob key.
func (a *AzureStore) Put(ctx context.Context, key string, data []byte) error {
	if err := ValidKey(key); err != nil {
		return fmt.Errorf("uploading blob %s: %w", quote(key), err)
	}
	if _, err := a.client.UploadBuffer(ctx, a.container, key, data, nil); err != nil {
		return fmt.Errorf("uploading blob %s to container %s: %w", quote(key), quote(a.container), err)
	}
	return nil
}

// Get downloads the blob key.
func (a *AzureStore) Get(ctx context.Context, key string) ([]byte, error) {
	fail := func(err error) ([]byte, error) {
		return nil, fmt.Errorf("downloading blob %s from container %s: %w", quote(key), quote(a.container), err)
	}
	if err := ValidKey(key); err != nil {
		return fail(err)
	}
	resp, err := a.client.DownloadStream(ctx, a.container, key, nil)
	if bloberror.HasCode(err, bloberror.BlobNotFound) {
		return fail(fmt.Errorf("%w: %w", ErrNotFound, err))
	}
	if err != nil {
		return fail(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fail(err)
	}
	return data, nil
}

// Delete deletes the blob key and its snapshots.
func (a *AzureStore) Delete(ctx context.Context, key string) error {
	if err := ValidKey(key); err != nil {
		return fmt.Errorf("deleting blob %s: %w", quote(key), err)
	}
	include := azblob.DeleteSnapshotsOptionTypeInclude
	_, err := a.client.DeleteBlob(ctx, a.container, key, &azblob.DeleteBlobOptions{DeleteSnapshots: &include})
	if err != nil && !bloberror.HasCode(err, bloberror.BlobNotFound) {
		return fmt.Errorf("deleting blob %s from container %s: %w", quote(key), quote(a.container), err)
	}
	return nil
}

// EnsureContainer creates container at serviceURL unless it exists. It is
// what NewAzureStore's caller runs at start-up, and what prepares an
// environment's azurerm backend before its first terraform init.
func EnsureContainer(ctx context.Context, serviceURL, container string, cred *azblob.SharedKeyCredential) error {
	client, err := azblob.NewClientWithSharedKeyCredential(serviceURL, cred, nil)
	if err != nil {
		return fmt.Errorf("connecting to blob service %s: %w", serviceURL, err)
	}
	_, err = client.CreateContainer(ctx, container, nil)
	if err != nil && !bloberror.HasCode(err, bloberror.ContainerAlreadyExists) {
		return fmt.Errorf("creating container %s at %s: %w", quote(container), serviceURL, err)
	}
	return nil
}
