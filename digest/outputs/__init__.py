"""What a run leaves behind: digests and index pages, the feed, files, git, notifications."""
