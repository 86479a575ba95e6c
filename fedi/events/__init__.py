"""Events and webinars: creation, registration and its approval, capacity, calendars, federation."""
