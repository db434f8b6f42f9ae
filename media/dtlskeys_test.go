package media

import (
	"bytes"
	"context"
	"crypto/tls"
	"net"
	"testing"
	"time"

	"github.com/pion/dtls/v3"
	"github.com/pion/dtls/v3/pkg/crypto/selfsign"
)

// The keys the gateway derives from the key log and the ServerHello
// (RFC 5705 exporter, RFC 5764 label) are the ones pion's DTLS exports
// itself, for each cipher suite and SRTP profile a browser may pick. Two
// real DTLS endpoints over loopback UDP.
func TestDTLSKeys_MatchPionsExporter(t *testing.T) {
	cert, err := selfsign.GenerateSelfSigned() // ECDSA P-256
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		suite   dtls.CipherSuiteID
		profile dtls.SRTPProtectionProfile
	}{
		{dtls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, dtls.SRTP_AEAD_AES_128_GCM},
		{dtls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, dtls.SRTP_AEAD_AES_256_GCM},
		{dtls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, dtls.SRTP_AES128_CM_HMAC_SHA1_80},
	} {
		t.Run(dtls.CipherSuiteName(c.suite), func(t *testing.T) {
			keys := &dtlsKeys{}
			srvSock, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
			if err != nil {
				t.Fatal(err)
			}
			cliSock, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
			if err != nil {
				t.Fatal(err)
			}
			cfg := func(server bool) *dtls.Config {
				cf := &dtls.Config{Certificates: []tls.Certificate{cert}, InsecureSkipVerify: true,
					CipherSuites: []dtls.CipherSuiteID{c.suite}, SRTPProtectionProfiles: []dtls.SRTPProtectionProfile{c.profile},
					ExtendedMasterSecret: dtls.RequireExtendedMasterSecret}
				if server {
					cf.KeyLogWriter = keys
					cf.ServerHelloMessageHook = keys.serverHello
				}
				return cf
			}
			srv, err := dtls.Server(srvSock, cliSock.LocalAddr(), cfg(true))
			if err != nil {
				t.Fatal(err)
			}
			cli, err := dtls.Client(cliSock, srvSock.LocalAddr(), cfg(false))
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			defer cli.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			errc := make(chan error, 1)
			go func() { errc <- cli.HandshakeContext(ctx) }()
			if err := srv.HandshakeContext(ctx); err != nil {
				t.Fatalf("server handshake: %v", err)
			}
			if err := <-errc; err != nil {
				t.Fatalf("client handshake: %v", err)
			}
			st, ok := srv.ConnectionState()
			if !ok {
				t.Fatal("no connection state")
			}
			want, err := st.ExportKeyingMaterial("EXTRACTOR-dtls_srtp", nil, 2*(32+12))
			if err != nil {
				t.Fatal(err)
			}
			got, err := keys.ExportKeyingMaterial("EXTRACTOR-dtls_srtp", nil, 2*(32+12))
			if err != nil {
				t.Fatalf("our exporter: %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("exported keys differ:\n got %x\nwant %x", got, want)
			}
			if _, _, err := keys.srtpContexts(); err != nil {
				t.Fatalf("SRTP contexts: %v", err)
			}
		})
	}
}
