package main

import (
	"fmt"

	"shopfn/handler/email"
	"shopfn/handler/events"
	"shopfn/handler/sqlstore"
)

// openNotifier returns the consumer that sends order emails over
// SHOPFN_SMTP_URL, recorded in rel, or nil, saying so once, when no SMTP
// server is set. The templates load here, so a broken override in
// SHOPFN_EMAIL_TEMPLATES stops the start instead of an order's email.
func (m *Main) openNotifier(rel *sqlstore.DB) (events.Consumer, error) {
	cfg := m.Config
	if cfg.SMTPURL == "" {
		m.Logger.Info("order emails are off: SHOPFN_SMTP_URL is not set")
		return nil, nil
	}
	scfg, err := email.ParseConfig(cfg.SMTPURL, cfg.EmailFrom)
	if err != nil {
		return nil, err // it names the setting, never the password
	}
	tpl, err := email.LoadTemplates(cfg.EmailTemplates)
	if err != nil {
		return nil, fmt.Errorf("SHOPFN_EMAIL_TEMPLATES: %w", err)
	}
	m.Logger.Info("order emails on", "smtp", scfg.Host, "port", scfg.Port, "security", scfg.Security)
	return &email.Notifier{
		Mailer: email.NewSender(scfg), Templates: tpl, Ledger: sqlstore.NewEmailLog(rel),
		Shop: email.ShopName(cfg.EmailFrom), From: cfg.EmailFrom, Now: m.Now, Log: m.Logger,
	}, nil
}
