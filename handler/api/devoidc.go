package api

import (
	"net/http"

	"shopfn/handler/auth"
	"shopfn/handler/commerce"
)

// The development issuer's routes answer 404 unless Deps.DevIssuer is set:
// on Azure and with SHOPFN_OIDC_ISSUER they are as absent as any unknown
// path.

// devIssuer returns the development issuer, or the 404 of a path no route
// serves.
func (s *Server) devIssuer(r *http.Request) (*auth.DevIssuer, error) {
	if s.DevIssuer == nil {
		return nil, commerce.NotFoundf("no route for %s", r.URL.Path)
	}
	return s.DevIssuer, nil
}

func (s *Server) devDiscovery(w http.ResponseWriter, r *http.Request) error {
	d, err := s.devIssuer(r)
	if err != nil {
		return err
	}
	writeBody(w, http.StatusOK, d.Discovery())
	return nil
}

func (s *Server) devJWKS(w http.ResponseWriter, r *http.Request) error {
	d, err := s.devIssuer(r)
	if err != nil {
		return err
	}
	writeBody(w, http.StatusOK, d.JWKS())
	return nil
}

// devTokenOutput is the answer of POST /api/dev/oidc/token.
type devTokenOutput struct {
	AccessToken string `json:"accessToken"`
	TokenType   string `json:"tokenType"`
	ExpiresIn   int    `json:"expiresIn"`
}

func (s *Server) devToken(w http.ResponseWriter, r *http.Request) error {
	d, err := s.devIssuer(r)
	if err != nil {
		return err
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var in struct {
		Email         string `json:"email"`
		Name          string `json:"name"`
		EmailVerified *bool  `json:"emailVerified"`
	}
	if err := decodeJSON(body, &in); err != nil {
		return err
	}
	token, ttl, err := d.Mint(auth.DevToken{Email: in.Email, Name: in.Name, EmailVerified: in.EmailVerified})
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	s.writeJSON(w, r, http.StatusOK, devTokenOutput{AccessToken: token, TokenType: "Bearer", ExpiresIn: int(ttl.Seconds())})
	return nil
}
