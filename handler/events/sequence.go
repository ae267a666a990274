package events

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// Sequence is the CloudEvents sequence extension attribute
// (https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/extensions/sequence.md).
// The extension makes it a String that orders events by plain string
// comparison, so its JSON form is a string: the decimal integer padded with
// zeros to SequenceDigits digits, such as "0000000000000000042". Compared as
// strings or parsed as integers (strconv.ParseInt), two sequences of one
// subject order the same way. Sequences start at 1 for each subject and
// rise by one with each of its events.
type Sequence int64

// SequenceDigits is the width of a sequence's JSON form: the digits of the
// largest int64.
const SequenceDigits = 19

// String returns s padded to SequenceDigits digits.
func (s Sequence) String() string { return fmt.Sprintf("%0*d", SequenceDigits, int64(s)) }

// MarshalJSON returns s as a padded JSON string.
func (s Sequence) MarshalJSON() ([]byte, error) {
	if s < 0 {
		return nil, fmt.Errorf("sequence %d is negative", int64(s))
	}
	return []byte(`"` + s.String() + `"`), nil
}

// UnmarshalJSON reads a JSON string of 1 to SequenceDigits decimal digits,
// padded or not. A JSON number is refused: the extension says String.
func (s *Sequence) UnmarshalJSON(b []byte) error {
	var str string
	if err := json.Unmarshal(b, &str); err != nil {
		return fmt.Errorf("sequence must be a string of digits: %w", err)
	}
	if len(str) == 0 || len(str) > SequenceDigits {
		return fmt.Errorf("sequence %q must have 1 to %d digits", str, SequenceDigits)
	}
	for _, c := range str {
		if c < '0' || c > '9' {
			return fmt.Errorf("sequence %q must be decimal digits", str)
		}
	}
	n, err := strconv.ParseInt(str, 10, 64)
	if err != nil {
		return fmt.Errorf("sequence %q: %w", str, err)
	}
	*s = Sequence(n)
	return nil
}
