"""News feeds: fetched (fetch), read (parse), judged (relevance), polled (poller), announced
(announce), managed by admins (admin), wired into the Application (service)."""
