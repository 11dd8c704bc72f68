//! Dense indices into the model's tables. Each is its own type, so a variant's index cannot be
//! passed where a firmware's or a customer's is expected (they were all `u16` once). All are
//! `u16`: a hub record stays 32 bytes.

macro_rules! index {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, serde::Serialize, serde::Deserialize)]
        #[repr(transparent)]
        pub(crate) struct $name(u16);

        // One API for the three types; not every one of them uses all of it.
        #[allow(dead_code)]
        impl $name {
            pub(crate) const fn new(i: u16) -> Self {
                $name(i)
            }

            /// The index into its table.
            pub(crate) fn at(self) -> usize {
                usize::from(self.0)
            }

            /// The next index after a table of `len` entries, if it fits in 16 bits.
            pub(crate) fn next(len: usize) -> Option<Self> {
                u16::try_from(len).ok().map($name)
            }
        }

        impl From<$name> for usize {
            fn from(i: $name) -> usize {
                i.at()
            }
        }

        impl From<$name> for u16 {
            fn from(i: $name) -> u16 {
                i.0
            }
        }

        impl From<$name> for u32 {
            fn from(i: $name) -> u32 {
                u32::from(i.0)
            }
        }
    };
}

index!(
    /// A hub variant: its place in the catalogue.
    VariantIdx
);
index!(
    /// A firmware version (of one variant): its place in the catalogue.
    FirmwareIdx
);
index!(
    /// A customer known to the estate: its place in the estate's customer dictionary.
    CustomerIdx
);
