"""The public verification of certificates: anyone checks a code, a person or a machine."""
