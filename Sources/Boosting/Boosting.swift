// Boosting: under construction — see README and the open issue for this module.
