"""The operations a person asks for; the command line and the Excel buttons both call these."""
