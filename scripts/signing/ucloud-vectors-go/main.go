// Go half of scripts/signing/ucloud-vectors.py: runs ucloud-sdk-go's OWN request encoder and signer on the cases the
// Python script generated. It is built in GOPATH mode against the SDK checkout the script links in (the SDK's vendor
// directory supplies its dependencies, so nothing is downloaded); no SDK code is copied here.
//
// stdin:  {"cases": [{"id", "publicKey", "privateKey", "securityToken", "input"}]}
//
//	input: JSON; a number with '.', 'e' or 'E' is a float64, any other number an int64; {"$int": "digits"} is an
//	integer beyond 2^53 (int64 if it fits, else the case is skipped: Go has no wider type the encoder accepts);
//	{"$float": "inf" | "-inf" | "nan"} a non-finite float64. null stays nil (Go's generic request fails on it).
//
// stdout: {"sdk": {...}, "results": [{"id", "params", "signature", "stringToSign"} | {"id", "error"} | {"id", "skipped"}]}
//
// Per case, exactly what the SDK does to send a generic request (request.BaseGenericRequest, the SDK's untyped
// request): SetPayload, request.NewFormEncoder(cfg, cred).Encode (EncodeForm flattening, Credential.Apply adding
// PublicKey, SecurityToken and Signature), and the form body it would POST, parsed back with net/url. stringToSign
// is auth.CalculateSignature(...).WithoutPrivateKey over those parameters minus Signature.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/ucloud/ucloud-sdk-go/ucloud/auth"
	"github.com/ucloud/ucloud-sdk-go/ucloud/config"
	"github.com/ucloud/ucloud-sdk-go/ucloud/request"
	"github.com/ucloud/ucloud-sdk-go/ucloud/version"
)

type inputCase struct {
	ID            string      `json:"id"`
	PublicKey     string      `json:"publicKey"`
	PrivateKey    string      `json:"privateKey"`
	SecurityToken string      `json:"securityToken"`
	Input         interface{} `json:"input"`
}

type result struct {
	ID           string            `json:"id"`
	Params       map[string]string `json:"params,omitempty"`
	Signature    string            `json:"signature,omitempty"`
	StringToSign *string           `json:"stringToSign,omitempty"`
	Error        string            `json:"error,omitempty"`
	Skipped      string            `json:"skipped,omitempty"`
}

var errSkip = errors.New("skip")

func convert(v interface{}) (interface{}, error) {
	switch t := v.(type) {
	case json.Number:
		s := t.String()
		if strings.ContainsAny(s, ".eE") {
			return strconv.ParseFloat(s, 64)
		}
		i, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, errSkip
		}
		return i, nil
	case map[string]interface{}:
		if len(t) == 1 {
			if s, ok := t["$int"].(string); ok {
				i, err := strconv.ParseInt(s, 10, 64)
				if err != nil {
					return nil, errSkip
				}
				return i, nil
			}
			if s, ok := t["$float"].(string); ok {
				return strconv.ParseFloat(s, 64)
			}
		}
		m := make(map[string]interface{}, len(t))
		for k, item := range t {
			c, err := convert(item)
			if err != nil {
				return nil, err
			}
			m[k] = c
		}
		return m, nil
	case []interface{}:
		out := make([]interface{}, len(t))
		for i, item := range t {
			c, err := convert(item)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	default:
		return v, nil
	}
}

func run(c inputCase) (res result) {
	res.ID = c.ID
	defer func() {
		if r := recover(); r != nil {
			res = result{ID: c.ID, Error: fmt.Sprintf("panic: %v", r)}
		}
	}()
	payload, err := convert(c.Input)
	if err == errSkip {
		res.Skipped = "an integer beyond int64, which the Go SDK cannot hold"
		return
	}
	if err != nil {
		res.Error = err.Error()
		return
	}
	cfg := config.NewConfig()
	cred := auth.NewCredential()
	cred.PublicKey = c.PublicKey
	cred.PrivateKey = c.PrivateKey
	cred.SecurityToken = c.SecurityToken

	req := &request.BaseGenericRequest{}
	if err := req.SetPayload(payload.(map[string]interface{})); err != nil {
		res.Error = err.Error()
		return
	}
	httpReq, err := request.NewFormEncoder(&cfg, &cred).Encode(req)
	if err != nil {
		res.Error = err.Error()
		return
	}
	values, err := url.ParseQuery(string(httpReq.GetRequestBody()))
	if err != nil {
		res.Error = err.Error()
		return
	}
	res.Params = map[string]string{}
	unsigned := map[string]interface{}{}
	for k, v := range values {
		res.Params[k] = v[0]
		if k != "Signature" {
			unsigned[k] = v[0]
		}
	}
	res.Signature = res.Params["Signature"]
	calc := auth.CalculateSignature(unsigned, c.PrivateKey)
	if calc.Sign != res.Signature {
		res.Error = "CalculateSignature disagrees with the encoder's Signature"
		return
	}
	res.StringToSign = &calc.WithoutPrivateKey
	return
}

func main() {
	var in struct {
		Cases []inputCase `json:"cases"`
	}
	dec := json.NewDecoder(os.Stdin)
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out := struct {
		SDK     map[string]string `json:"sdk"`
		Results []result          `json:"results"`
	}{SDK: map[string]string{"version": version.Version}}
	for _, c := range in.Cases {
		out.Results = append(out.Results, run(c))
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	_, _ = os.Stdout.Write(buf.Bytes())
}
