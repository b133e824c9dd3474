package bluesky

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/transport"
)

// didDocument is the part of a DID document the driver reads.
type didDocument struct {
	ID          string   `json:"id"`
	AlsoKnownAs []string `json:"alsoKnownAs"`
	Service     []struct {
		ID              string          `json:"id"`
		Type            string          `json:"type"`
		ServiceEndpoint json.RawMessage `json:"serviceEndpoint"`
	} `json:"service"`
}

// pdsEndpoint returns the #atproto_pds service endpoint of the document: an
// http(s) URL without a path.
func (doc *didDocument) pdsEndpoint() (string, bool) {
	for _, s := range doc.Service {
		if s.ID != "#atproto_pds" && s.ID != doc.ID+"#atproto_pds" {
			continue
		}
		if s.Type != "AtprotoPersonalDataServer" {
			continue
		}
		var ep string
		if json.Unmarshal(s.ServiceEndpoint, &ep) != nil {
			continue
		}
		u, err := url.Parse(ep)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
			continue
		}
		return strings.TrimSuffix(ep, "/"), true
	}
	return "", false
}

// parseDIDDocument parses a DID document and returns its PDS endpoint.
func parseDIDDocument(body []byte, did string) (string, error) {
	var doc didDocument
	if err := json.Unmarshal(body, &doc); err != nil {
		return "", &driver.Error{Code: driver.Unknown, Network: network, Message: "malformed DID document for " + did + ": " + err.Error(), Err: err}
	}
	if doc.ID != did {
		return "", &driver.Error{Code: driver.NotFound, Network: network, Message: "the DID document of " + did + " is for " + quoteShort(doc.ID)}
	}
	pds, ok := doc.pdsEndpoint()
	if !ok {
		return "", &driver.Error{Code: driver.NotFound, Network: network, Message: "the DID document of " + did + " names no #atproto_pds service"}
	}
	return pds, nil
}

// resolveDID returns the DID of a handle, from the DNS TXT record
// _atproto.<handle> ("did=<did>") or, failing that, from
// https://<handle>/.well-known/atproto-did, as the atproto handle
// specification describes.
func (d *Driver) resolveDID(ctx context.Context, handle string) (string, error) {
	handle = strings.ToLower(strings.TrimPrefix(handle, "@"))
	if !validHandle(handle) {
		return "", &driver.Error{Code: driver.InvalidContent, Network: network, Message: "not a handle: " + quoteShort(handle)}
	}
	if d.hooks.lookupTXT != nil {
		if txts, err := d.hooks.lookupTXT(ctx, "_atproto."+handle); err == nil {
			var found []string
			for _, t := range txts {
				if did, ok := strings.CutPrefix(t, "did="); ok && validDID(did) {
					found = append(found, did)
				}
			}
			if len(found) == 1 {
				return found[0], nil
			}
		}
	}
	resp, err := d.pub.Do(ctx, &transport.Request{Path: d.hooks.scheme + "://" + handle + "/.well-known/atproto-did", Class: classIdentity, NoAuth: true})
	if err != nil {
		return "", err
	}
	did := strings.TrimSpace(string(resp.Body))
	if !validDID(did) {
		return "", &driver.Error{Code: driver.NotFound, Network: network, Message: "handle " + handle + " does not resolve to a DID"}
	}
	return did, nil
}

// discoverPDS returns the PDS of an account from its DID or handle: the
// handle resolves to a DID, whose document (from the PLC directory for
// did:plc, from https://<host>/.well-known/did.json for did:web) names the
// #atproto_pds service.
func (d *Driver) discoverPDS(ctx context.Context, id string) (string, error) {
	did := id
	if !strings.HasPrefix(id, "did:") {
		var err error
		if did, err = d.resolveDID(ctx, id); err != nil {
			return "", err
		}
	}
	var docURL string
	switch {
	case strings.HasPrefix(did, "did:plc:") && validDID(did):
		docURL = d.plc + "/" + did
	case strings.HasPrefix(did, "did:web:") && validDID(did):
		host, err := url.PathUnescape(strings.TrimPrefix(did, "did:web:"))
		if err != nil || strings.ContainsAny(host, "/:@") && !validHostPort(host) {
			return "", &driver.Error{Code: driver.InvalidContent, Network: network, Message: "unsupported did:web " + quoteShort(did)}
		}
		docURL = d.hooks.scheme + "://" + host + "/.well-known/did.json"
	default:
		return "", &driver.Error{Code: driver.InvalidContent, Network: network, Message: "unsupported DID " + quoteShort(did) + " (want did:plc or did:web)"}
	}
	resp, err := d.pub.Do(ctx, &transport.Request{Path: docURL, Class: classIdentity, NoAuth: true})
	if err != nil {
		return "", err
	}
	return parseDIDDocument(resp.Body, did)
}

// validHostPort accepts host:port, as did:web percent-encodes the port.
func validHostPort(s string) bool {
	host, port, ok := strings.Cut(s, ":")
	if !ok || host == "" || port == "" || strings.ContainsAny(port, "/@:") {
		return false
	}
	for i := 0; i < len(port); i++ {
		if port[i] < '0' || port[i] > '9' {
			return false
		}
	}
	return !strings.ContainsAny(host, "/@")
}
