package handlers

import "github.com/cspportal/portal/pccclient"

// SetPCConfigTweak lets external tests adjust the Partner Center client
// configuration (set it before the first request that needs PC).
func SetPCConfigTweak(f func(*pccclient.Config)) { pcConfigTweak = f }
