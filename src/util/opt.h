/*
 * opt.h - reading an option and its value from argv, the same way in
 * every subcommand and benchmark: "--name VALUE" or "--name=VALUE", and a
 * missing value told apart from an unknown option.
 */
#ifndef LOCKSTEP_UTIL_OPT_H
#define LOCKSTEP_UTIL_OPT_H

/*
 * Is argv[*i] the option name (say "--seconds") with a value?  The value
 * is the rest of the word after "name=", or else the next word.  It is
 * missing when "name=" ends the word, or when there is no next word or it
 * starts with "--" (another option: the value was left out).
 *
 * Returns 1 with *val set and *i left on the last word used; 0 when
 * argv[*i] is not this option (nothing changed); -EINVAL when it is but
 * its value is missing (*val NULL, *i unchanged).
 */
int opt_value(int argc, char **argv, int *i, const char *name,
	      const char **val);

#endif
