/// Word lists for synthetic titles and tags, and the genre frequencies of ml-latest-small.
enum SynthVocabulary {
    /// `Genres.latest` with the share of ml-latest-small's movies that carry each genre.
    static let genreShare: [Double] = [
        0.1876, 0.1296, 0.0627, 0.0682, 0.3855, 0.1231, 0.0452, 0.4476,  // Action … Drama
        0.0800, 0.0089, 0.1004, 0.0162, 0.0343, 0.0588, 0.1638, 0.1006,  // Fantasy … Sci-Fi
        0.1944, 0.0392, 0.0171,                                           // Thriller, War, Western
    ]

    /// A small mean effect per genre on the latent score (in units of its standard deviation):
    /// documentaries, film-noir and war films are rated above average, horror below — the
    /// direction of ml-latest-small's genre means.
    static let genreMean: [Double] = [
        -0.08, -0.02, 0.08, -0.10, -0.08, 0.08, 0.20, 0.12,
        -0.04, 0.25, -0.25, 0.05, 0.02, 0.08, 0.00, -0.03,
        -0.03, 0.20, 0.08,
    ]

    static let adjectives = [
        "Silent", "Last", "Broken", "Golden", "Dark", "Hidden", "Lost", "Crimson", "Little", "Wild", "Final", "Secret",
        "Electric", "Frozen", "Burning", "Distant", "Midnight", "Savage", "Gentle", "Iron", "Paper", "Glass", "Blue",
        "Restless", "Forgotten", "Endless", "Bright", "Quiet", "Lonely", "Brave", "Strange", "Sweet", "Bitter", "Hollow",
    ]
    static let nouns = [
        "River", "Kingdom", "Summer", "Horizon", "City", "Garden", "Shadow", "Heart", "Road", "Island", "Storm", "Dream",
        "Station", "Mirror", "Empire", "Harbor", "Winter", "Machine", "Forest", "Letter", "Promise", "Frontier", "Signal",
        "Journey", "Voyage", "Witness", "Stranger", "Detective", "Planet", "Legacy", "Orchard", "Circus", "Ghost", "Hunter",
    ]
    static let places = [
        "Paris", "Texas", "Brooklyn", "Berlin", "Tokyo", "Mars", "the Valley", "the North", "Casablanca", "Rome", "the Sea",
        "Memphis", "the Moon", "Vienna", "Nowhere", "Chinatown", "the Desert", "Hollywood",
    ]
    /// MovieLens moves a leading article to the end: "Kingdom, The (1995)".
    static let articles = ["The", "A", "An"]

    /// Tags that fit each genre (index = bit of `Genres.latest`).
    static let genreTags: [[String]] = [
        ["action", "explosions", "car chase", "martial arts"],
        ["adventure", "treasure hunt", "quest", "exotic locations"],
        ["animation", "pixar", "stop motion", "anime"],
        ["family", "kids", "Disney", "talking animals"],
        ["funny", "dark comedy", "quirky", "hilarious", "satire"],
        ["heist", "mafia", "crime", "organized crime"],
        ["documentary", "true story", "politics", "history"],
        ["thought-provoking", "emotional", "character study", "bittersweet"],
        ["fantasy", "magic", "dragons", "fairy tale"],
        ["film noir", "femme fatale", "black and white"],
        ["scary", "gore", "zombies", "creepy"],
        ["IMAX", "visually stunning", "3D"],
        ["music", "musical", "great soundtrack"],
        ["twist ending", "mystery", "whodunit"],
        ["romance", "love story", "chick flick"],
        ["sci-fi", "time travel", "space", "dystopia", "aliens"],
        ["suspense", "tense", "psychological", "serial killer"],
        ["war", "World War II", "anti-war"],
        ["western", "cowboys", "gunfight"],
    ]
    /// Tags not tied to a genre.
    static let generalTags = [
        "In Netflix queue", "atmospheric", "classic", "surreal", "visually appealing", "overrated", "underrated",
        "cult film", "based on a book", "great acting", "predictable", "slow", "beautiful", "soundtrack", "remake",
    ]
}
