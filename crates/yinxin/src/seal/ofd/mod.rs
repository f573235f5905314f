//! OFD documents (GB/T 33190): every signature, checked.
