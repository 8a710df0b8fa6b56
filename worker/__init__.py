"""Process entry points and the Dramatiq setup. Actors stay thin: ids in, a service call, commit."""
