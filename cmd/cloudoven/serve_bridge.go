package main

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"
)

// bridgeStateListener is where runs on a local Docker daemon reach the state backend when
// the server listens on loopback only (the default, `make run`): a second listener on the
// gateway address of the egress network (Docker's bridge, by default), which every
// container on that network reaches, the egress proxy among them, and which is an address
// of this host. Only the state backend is served there, and every request to it needs a
// run's own credentials.
//
// It returns nil when the daemon is not on this host (a remote DOCKER_HOST: its gateway is
// on another machine), does not answer, or the network has no IPv4 gateway; the caller
// then keeps the loopback address and warns.
func bridgeStateListener(ctx context.Context, cli *client.Client, name string) (net.Listener, error) {
	if !strings.HasPrefix(cli.DaemonHost(), "unix://") {
		return nil, fmt.Errorf("the Docker daemon at %s is not on this host", cli.DaemonHost())
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	info, err := cli.NetworkInspect(ctx, name, network.InspectOptions{})
	if err != nil {
		return nil, fmt.Errorf("inspecting Docker network %s: %w", name, err)
	}
	for _, c := range info.IPAM.Config {
		ip := net.ParseIP(c.Gateway)
		if ip == nil {
			// Some daemons (Debian's 20.10 among them) leave the default bridge's gateway
			// out of its IPAM configuration: Docker gives a bridge the subnet's first
			// address, and listening on it proves it is this host's.
			ip = firstHost(c.Subnet)
		}
		if ip == nil || ip.To4() == nil {
			continue
		}
		ln, err := net.Listen("tcp", net.JoinHostPort(ip.String(), "0"))
		if err != nil {
			return nil, fmt.Errorf("listening on Docker network %s's gateway %s: %w", name, ip, err)
		}
		return ln, nil
	}
	return nil, fmt.Errorf("Docker network %s has no IPv4 gateway", name)
}

// firstHost is the first host address of an IPv4 subnet, nil for anything else.
func firstHost(subnet string) net.IP {
	_, n, err := net.ParseCIDR(subnet)
	if err != nil || n.IP.To4() == nil {
		return nil
	}
	ip := slices.Clone(n.IP.To4())
	ip[3]++
	if !n.Contains(ip) {
		return nil
	}
	return ip
}
