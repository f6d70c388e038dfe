package glimesh

import "slices"

// maxIDLen bounds an id: Glimesh ids are bigserial (at most 19 digits);
// anything far longer is hostile.
const maxIDLen = 32

// ValidID reports whether s is a canonical decimal id: digits only, no
// leading zero (so that CompareIDs orders it numerically), at most 32 digits.
func ValidID(s string) bool {
	if len(s) == 0 || len(s) > maxIDLen || (len(s) > 1 && s[0] == '0') {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// CompareIDs orders two canonical decimal ids numerically without parsing
// them: a shorter id is smaller, equal lengths compare lexically. It returns
// -1, 0 or +1.
func CompareIDs(a, b string) int {
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// sortByID sorts s in ascending id order, keeping the order of equal ids.
func sortByID[T any](s []T, id func(T) string) {
	slices.SortStableFunc(s, func(a, b T) int { return CompareIDs(id(a), id(b)) })
}
