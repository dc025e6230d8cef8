package testenv

import (
	"context"
	"testing"
	"time"

	"github.com/docker/docker/client"
)

// Docker returns a client for the Docker daemon the environment names (DOCKER_HOST, else
// the local socket), after checking that it answers. It is closed when the test ends.
func Docker(t testing.TB) *client.Client {
	t.Helper()
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		Unavailable(t, "docker client: "+err.Error())
		return nil
	}
	t.Cleanup(func() { cli.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := cli.Ping(ctx); err != nil {
		Unavailable(t, "no Docker daemon answers at "+cli.DaemonHost()+": "+err.Error())
		return nil
	}
	return cli
}
