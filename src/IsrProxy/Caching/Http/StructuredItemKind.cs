namespace IsrProxy.Caching.Http;

// The bare item types of RFC 9651 §3.3, plus inner lists as members of a List or Dictionary.
internal enum StructuredItemKind
{
    Integer,
    Decimal,
    String,
    Token,
    ByteSequence,
    Boolean,
    Date,
    DisplayString,
    InnerList,
}
