"""Content requests, the domain: searching with badges, requesting within quotas, tracking where each request
stands (Seerr, our library), and attribution of watches to requests. Seerr itself is services/overseerr."""
