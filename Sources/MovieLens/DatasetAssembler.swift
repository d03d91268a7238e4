import Runtime

/// Turns the parsed files into a `Dataset`: assigns dense indices, drops ratings and tags that
/// reference unknown ids, removes duplicate ratings, and updates the reports accordingly.
struct DatasetAssembler {
    var layout: ReleaseLayout
    var threads: Int

    /// Inputs are in file order; `users`/`movies` are nil when the release has no such file.
    func assemble(ratings: RawRatings, ratingsReport: inout FileReport,
                  movies: RawMovies?, users: RawUsers?,
                  tags: RawTags?, links: RawLinks?,
                  genreNames: [String]) -> Dataset {
        // Users: users.dat when present; otherwise everyone who rated or tagged.
        let userIds: [Int64] = users.map { IdIndex.sortedUnique([$0.ids]) }
            ?? IdIndex.sortedUnique([ratings.user, tags?.user ?? []])
        // Movies: the movies file when present; otherwise every rated or tagged movie.
        let movieIds: [Int64] = movies.map { IdIndex.sortedUnique([$0.ids]) }
            ?? IdIndex.sortedUnique([ratings.movie, tags?.movie ?? []])
        let userIndex = IdIndex(sortedIds: userIds)
        let movieIndex = IdIndex(sortedIds: movieIds)

        // Ratings → dense indices (parallel), then drop unknown ids and duplicates.
        let n = ratings.count
        var ru = [Int32](repeating: -1, count: n)
        var rm = [Int32](repeating: -1, count: n)
        ru.withUnsafeMutableBufferPointer { ub in
            rm.withUnsafeMutableBufferPointer { mb in
                let uOut = UnsafeSendable(ub), mOut = UnsafeSendable(mb)
                ratings.user.withUnsafeBufferPointer { us in
                    ratings.movie.withUnsafeBufferPointer { ms in
                        let uIn = UnsafeSendable(us), mIn = UnsafeSendable(ms)
                        parallelRanges(n, threads: threads, minBlock: 1 << 16) { range in
                            for i in range {
                                uOut.value[i] = userIndex.index(uIn.value[i])
                                mOut.value[i] = movieIndex.index(mIn.value[i])
                            }
                        }
                    }
                }
            }
        }
        var keep = [Bool](repeating: true, count: n)
        for i in 0..<n {
            if ru[i] < 0 {
                keep[i] = false
                ratingsReport.kept -= 1
                ratingsReport.drop(.unknownUser, line: Int(ratings.line[i]))
            } else if rm[i] < 0 {
                keep[i] = false
                ratingsReport.kept -= 1
                ratingsReport.drop(.unknownMovie, line: Int(ratings.line[i]))
            }
        }
        let duplicates = DuplicateRatings.find(user: ru, movie: rm, time: ratings.time, keep: keep,
                                               userCount: userIds.count, movieCount: movieIds.count, threads: threads)
        for i in 0..<n where duplicates[i] {
            keep[i] = false
            ratingsReport.kept -= 1
            ratingsReport.drop(.duplicatePair, line: Int(ratings.line[i]))
        }
        for (k, v) in ratingsReport.examples { ratingsReport.examples[k] = v.sorted() }

        var outUser: [Int32] = [], outMovie: [Int32] = [], outValue: [Float] = [], outTime: [Int64] = []
        let kept = keep.reduce(0) { $0 + ($1 ? 1 : 0) }
        if kept == n {
            outUser = ru; outMovie = rm; outValue = ratings.value; outTime = ratings.time  // nothing to drop: no copy
        } else {
            outUser.reserveCapacity(kept); outMovie.reserveCapacity(kept); outValue.reserveCapacity(kept); outTime.reserveCapacity(kept)
            for i in 0..<n where keep[i] {
                outUser.append(ru[i]); outMovie.append(rm[i]); outValue.append(ratings.value[i]); outTime.append(ratings.time[i])
            }
        }

        // Movies in id order.
        var titles = [String](repeating: "", count: movieIds.count)
        var years = [Int16](repeating: 0, count: movieIds.count)
        var genres = [UInt32](repeating: 0, count: movieIds.count)
        if let movies {
            for k in 0..<movies.ids.count {
                let m = Int(movieIndex.index(movies.ids[k]))
                titles[m] = movies.titles[k]; years[m] = movies.years[k]; genres[m] = movies.genres[k]
            }
        }
        // Users in id order.
        var gender: [UInt8] = [], age: [Int16] = [], occupation: [Int16] = [], zip: [String] = []
        if let users {
            gender = [UInt8](repeating: 0, count: userIds.count)
            age = [Int16](repeating: -1, count: userIds.count)
            occupation = [Int16](repeating: -1, count: userIds.count)
            zip = [String](repeating: "", count: userIds.count)
            for k in 0..<users.ids.count {
                let u = Int(userIndex.index(users.ids[k]))
                gender[u] = users.gender[k]; age[u] = users.age[k]; occupation[u] = users.occupation[k]; zip[u] = users.zip[k]
            }
        }
        // Tags and links were checked against the known ids while parsing.
        var tagUser: [Int32] = [], tagMovie: [Int32] = [], tagText: [String] = [], tagTime: [Int64] = []
        if let tags {
            tagUser = tags.user.map { userIndex.index($0) }
            tagMovie = tags.movie.map { movieIndex.index($0) }
            tagText = tags.text
            tagTime = tags.time
        }
        var imdb: [Int64] = [], tmdb: [Int64] = []
        if let links {
            imdb = [Int64](repeating: -1, count: movieIds.count)
            tmdb = [Int64](repeating: -1, count: movieIds.count)
            for k in 0..<links.movie.count {
                let m = movieIndex.index(links.movie[k])
                guard m >= 0 else { continue }
                imdb[Int(m)] = links.imdb[k]; tmdb[Int(m)] = links.tmdb[k]
            }
        }
        return Dataset(format: layout.format, userIds: userIds, movieIds: movieIds,
                       ratingUser: outUser, ratingMovie: outMovie, ratingValue: outValue, ratingTime: outTime,
                       titles: titles, years: years, genres: genres, genreNames: genreNames,
                       userGender: gender, userAge: age, userOccupation: occupation, userZip: zip,
                       tagUser: tagUser, tagMovie: tagMovie, tagText: tagText, tagTime: tagTime,
                       imdbIds: imdb, tmdbIds: tmdb)
    }
}

