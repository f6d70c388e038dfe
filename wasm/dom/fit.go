package dom

// firstFit is the index of the first of n lines that fit whole: the lines
// that do not are the oldest ones, a prefix, and cut says whether line i is
// one of them. guess is where the prefix ended at the last look (-1: no
// idea). A new line moves that end by one or two, so the search gallops
// out from guess and bisects what is left: two lines measured, typically,
// however many there are; a few more (log n) for a cold start.
func firstFit(n, guess int, cut func(i int) (bool, error)) (int, error) {
	lo, hi := 0, n // lines before lo are cut, lines from hi on fit
	if guess >= 0 && guess < n {
		c, err := cut(guess)
		if err != nil {
			return 0, err
		}
		if c {
			lo = guess + 1
			for step := 1; lo < hi; step *= 2 {
				p := min(guess+step, hi-1)
				if c, err = cut(p); err != nil {
					return 0, err
				}
				if !c {
					hi = p
					break
				}
				lo = p + 1
			}
		} else {
			hi = guess
			for step := 1; lo < hi; step *= 2 {
				p := max(guess-step, lo)
				if c, err = cut(p); err != nil {
					return 0, err
				}
				if c {
					lo = p + 1
					break
				}
				hi = p
			}
		}
	}
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		c, err := cut(mid)
		if err != nil {
			return 0, err
		}
		if c {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, nil
}
