package billing

// SetAfterStep runs f after each persisted step of an import (a returned
// error stops the import as a crash would).
func (s *Service) SetAfterStep(f func(importID int64, state string) error) { s.afterStep = f }

// SetSale replaces the sale pricer.
func (s *Service) SetSale(p SalePricer) { s.sale = p }

// SetPrices replaces the price checker.
func (s *Service) SetPrices(p PriceChecker) { s.prices = p }
