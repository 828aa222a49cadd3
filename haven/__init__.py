"""Haven: a case desk for crisis task forces."""
