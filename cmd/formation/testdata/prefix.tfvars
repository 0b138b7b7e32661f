prefix = "fromfile"
