namespace IsrProxy.Caching.Http;

// RFC 9651 parsing of Lists and Dictionaries. As the RFC requires, any error fails the whole field: callers then
// ignore the field. Dictionary keys that repeat are all returned in order (the RFC keeps only the last); callers
// resolve repeats with the same rule they apply to Cache-Control.
internal ref struct StructuredFieldParser
{
    private readonly ReadOnlySpan<char> _input;
    private int _position;

    private StructuredFieldParser(ReadOnlySpan<char> input)
    {
        // RFC 9651 §4.2: leading and trailing SP are discarded, other whitespace is an error.
        _input = input.Trim(' ');
        _position = 0;
    }

    private readonly bool AtEnd => _position >= _input.Length;

    private readonly char Current => _input[_position];

    // On failure, members holds what it held before the call.
    public static bool TryParseList(string? value, List<StructuredItem> members)
    {
        var start = members.Count;
        var parser = new StructuredFieldParser(value);
        if (parser.ParseList(members))
        {
            return true;
        }

        members.RemoveRange(start, members.Count - start);
        return false;
    }

    // On failure, members holds what it held before the call.
    public static bool TryParseDictionary(string? value, List<KeyValuePair<string, StructuredItem>> members)
    {
        var start = members.Count;
        var parser = new StructuredFieldParser(value);
        if (parser.ParseDictionary(members))
        {
            return true;
        }

        members.RemoveRange(start, members.Count - start);
        return false;
    }

    private bool ParseList(List<StructuredItem> members)
    {
        while (!AtEnd)
        {
            if (!TryParseItemOrInnerList(out var item))
            {
                return false;
            }

            members.Add(item);
            if (!TryConsumeMemberSeparator(out var more))
            {
                return false;
            }

            if (!more)
            {
                return true;
            }
        }

        return true;
    }

    private bool ParseDictionary(List<KeyValuePair<string, StructuredItem>> members)
    {
        while (!AtEnd)
        {
            if (!TryParseKey(out var key))
            {
                return false;
            }

            StructuredItem item;
            if (!AtEnd && Current == '=')
            {
                _position++;
                if (!TryParseItemOrInnerList(out item))
                {
                    return false;
                }
            }
            else
            {
                item = StructuredItem.True;
                if (!TrySkipParameters())
                {
                    return false;
                }
            }

            members.Add(new KeyValuePair<string, StructuredItem>(key.ToString(), item));
            if (!TryConsumeMemberSeparator(out var more))
            {
                return false;
            }

            if (!more)
            {
                return true;
            }
        }

        return true;
    }

    // After a member: OWS, then either the end or a comma followed by another member (a trailing comma is an error).
    private bool TryConsumeMemberSeparator(out bool more)
    {
        SkipOws();
        more = false;
        if (AtEnd)
        {
            return true;
        }

        if (Current != ',')
        {
            return false;
        }

        _position++;
        SkipOws();
        more = !AtEnd;
        return more;
    }

    private bool TryParseItemOrInnerList(out StructuredItem item)
    {
        if (!AtEnd && Current == '(')
        {
            item = new StructuredItem(StructuredItemKind.InnerList, null, 0, false);
            return TrySkipInnerList();
        }

        return TryParseItem(out item);
    }

    private bool TrySkipInnerList()
    {
        _position++;
        while (!AtEnd)
        {
            SkipSp();
            if (AtEnd)
            {
                return false;
            }

            if (Current == ')')
            {
                _position++;
                return TrySkipParameters();
            }

            if (!TryParseItem(out _) || AtEnd || (Current != ' ' && Current != ')'))
            {
                return false;
            }
        }

        return false;
    }

    private bool TryParseItem(out StructuredItem item) => TryParseBareItem(out item) && TrySkipParameters();

    private bool TryParseBareItem(out StructuredItem item) => StructuredBareItemReader.TryRead(_input, ref _position, out item);

    private bool TrySkipParameters()
    {
        while (!AtEnd && Current == ';')
        {
            _position++;
            SkipSp();
            if (!TryParseKey(out _))
            {
                return false;
            }

            if (!AtEnd && Current == '=')
            {
                _position++;
                if (!TryParseBareItem(out _))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private bool TryParseKey(out ReadOnlySpan<char> key)
    {
        var start = _position;
        key = default;
        if (AtEnd || !(char.IsAsciiLetterLower(Current) || Current == '*'))
        {
            return false;
        }

        _position++;
        while (!AtEnd && (char.IsAsciiLetterLower(Current) || char.IsAsciiDigit(Current) || Current is '_' or '-' or '.' or '*'))
        {
            _position++;
        }

        key = _input[start.._position];
        return true;
    }

    private void SkipOws()
    {
        while (!AtEnd && Current is ' ' or '\t')
        {
            _position++;
        }
    }

    private void SkipSp()
    {
        while (!AtEnd && Current == ' ')
        {
            _position++;
        }
    }
}
