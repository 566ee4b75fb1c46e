// Package e2e holds browser journeys: the real router on httptest with a
// fresh database and the Partner Center sandbox, driven by Chromium through
// chromedp. Without /usr/bin/chromium the journeys skip with a loud message,
// unless CI is set, in which case they fail.
package e2e
